/// `headroom status`: the host's memory, swap and pressure, and the services using most memory.
public struct StatusReport: Equatable, Sendable {
    public struct ServiceLine: Equatable, Sendable {
        public var unit: String
        public var category: BudgetCategory
        public var cgroupPath: String
        public var currentBytes: UInt64
        public var workingSetBytes: UInt64
        public var swapBytes: UInt64?
        public var expectedBytes: UInt64?
        public var pressure: Pressure?
        public var maxLimit: MemoryLimit
        public var oomKills: UInt64
    }

    public var system: SystemSample
    public var perServiceAvailable: Bool
    /// Largest working set first, at most `limit` of them.
    public var services: [ServiceLine]
    public var serviceCount: Int
    /// Sentences naming what this host cannot show, and why.
    public var unavailable: [String]
    /// Files that could not be read or parsed.
    public var problems: [String]

    public static func make(system: SystemSample, scan: ServiceScan, config: BudgetConfig, limit: Int)
        -> StatusReport {
        let lines = scan.services.map { service in
            let (category, expected) = config.classify(unit: service.unit)
            return ServiceLine(unit: service.unit, category: category, cgroupPath: service.cgroupPath,
                               currentBytes: service.current, workingSetBytes: service.workingSet,
                               swapBytes: service.swapCurrent, expectedBytes: expected, pressure: service.pressure,
                               maxLimit: service.max, oomKills: service.events.oomKill)
        }.sorted { $0.workingSetBytes != $1.workingSetBytes ? $0.workingSetBytes > $1.workingSetBytes : $0.unit < $1.unit }
        return StatusReport(system: system, perServiceAvailable: scan.visibility.isAvailable,
                            services: Array(lines.prefix(limit)), serviceCount: lines.count,
                            unavailable: Unavailability.sentences(system: system, scan: scan),
                            problems: scan.problems.map(\.description))
    }
}

/// What a host cannot show, worded once for every report.
public enum Unavailability {
    public static func sentences(system: SystemSample, scan: ServiceScan) -> [String] {
        var sentences: [String] = []
        if case .unavailable(let reason) = scan.visibility {
            sentences.append("per-service figures are unavailable: \(reason)")
        }
        if let reason = system.installed.fallbackReason {
            sentences.append("installed RAM is unknown (\(reason)); MemTotal is used, so the kernel's reserve shows as 0")
        }
        if scan.visibility.isAvailable, !scan.services.isEmpty, scan.services.allSatisfy({ $0.swapCurrent == nil }) {
            sentences.append("per-service swap is unavailable: no memory.swap.current (swap accounting is off)")
        }
        return sentences
    }
}
