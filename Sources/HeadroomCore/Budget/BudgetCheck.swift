/// The budget part of `headroom check`: a unit or category over its budget is a WARNING only
/// when it matters, i.e. memory is short (the daemon's level, from its horizon, stall and
/// available memory, or MemAvailable itself), or the overage has lasted
/// `budget.warn_after_minutes` by the daemon's budget record. Otherwise it is a note: a VM
/// that runs above the platform's figures without being short is not a ticket.
public enum BudgetCheck {
    /// One line over its budget.
    public struct Overage: Equatable, Sendable {
        /// "telegraf.service (monitoring)", "management", "applications".
        public var subject: String
        public var actualBytes: UInt64
        public var budgetBytes: UInt64
        /// How long it has been over, by the record; nil when unknown.
        public var overForMs: Int64?
    }

    public struct Settings: Sendable {
        public var toleranceBytes: UInt64
        public var warnAfterMs: Int64
        /// MemAvailable at or below this share of MemTotal is short.
        public var shortAvailablePercent: Double
        /// A record not updated for this long says nothing about durations.
        public var recordStaleAfterMs: Int64

        public init(toleranceBytes: UInt64 = 0, warnAfterMs: Int64 = 15 * 60_000, shortAvailablePercent: Double = 20,
                    recordStaleAfterMs: Int64 = 3 * 60_000) {
            self.toleranceBytes = toleranceBytes
            self.warnAfterMs = warnAfterMs
            self.shortAvailablePercent = shortAvailablePercent
            self.recordStaleAfterMs = recordStaleAfterMs
        }
    }

    /// Every unit with an expectation over it by more than the tolerance, then each category over
    /// its reserve that no over-budget unit of its own already explains, then the applications'
    /// total over what the model leaves them.
    public static func overages(_ report: BudgetReport, record: BudgetRecord?, nowMs: Int64,
                                settings: Settings) -> [Overage] {
        func lasted(_ line: BudgetRecord.Line?) -> Int64? {
            record?.overFor(line, nowMs: nowMs, staleAfterMs: settings.recordStaleAfterMs)
        }
        var out: [Overage] = []
        let unitLines = report.categories.map { ($0.category, $0.units) } + [(.application, report.application.units)]
        var explained: Set<BudgetCategory> = []
        for (category, units) in unitLines {
            for unit in units where unit.overBytes > settings.toleranceBytes {
                guard let expected = unit.expectedBytes else { continue }
                explained.insert(category)
                out.append(Overage(subject: "\(unit.unit) (\(category.rawValue))", actualBytes: unit.actualBytes,
                                   budgetBytes: expected, overForMs: lasted(record?.units[unit.unit])))
            }
        }
        for category in report.categories where !explained.contains(category.category) {
            guard let over = category.overBytes, over > settings.toleranceBytes,
                  let actual = category.actualBytes, let expected = category.expectedBytes else { continue }
            out.append(Overage(subject: category.category.rawValue, actualBytes: actual, budgetBytes: expected,
                               overForMs: lasted(record?.categories[category.category.rawValue])))
        }
        let application = report.application
        if let headroom = application.headroomBytes, headroom < 0, headroom.magnitude > settings.toleranceBytes,
           let actual = application.actualBytes, let budget = application.budgetBytes {
            out.append(Overage(subject: applicationsSubject, actualBytes: actual, budgetBytes: budget,
                               overForMs: lasted(record?.categories[BudgetCategory.application.rawValue])))
        }
        return out
    }

    /// Why memory is short now, or nil when it is not.
    /// - Parameters:
    ///   - level: the running daemon's level (its horizon, stall and available-memory rules); nil without a daemon.
    public static func shortage(meminfo: Meminfo?, level: PressureLevel?, settings: Settings) -> String? {
        if let level, level != .calm {
            return "the daemon's level is \(level.rawValue)"
        }
        guard let meminfo, meminfo.memTotal > 0 else { return nil }
        let percent = Double(meminfo.memAvailable) / Double(meminfo.memTotal) * 100
        guard percent <= settings.shortAvailablePercent else { return nil }
        return "MemAvailable \(ByteSize.format(meminfo.memAvailable)) is \(Int(percent.rounded())) % of MemTotal, "
            + "at or below \(settings.shortAvailablePercent.compact) %"
    }

    /// The sentence for one overage, and whether it is a WARNING.
    public static func judge(_ overage: Overage, shortage: String?, settings: Settings) -> (warn: Bool, text: String) {
        let whose = overage.subject == applicationsSubject ? "their" : "its"
        var text = "\(overage.subject) over \(whose) budget: \(ByteSize.format(overage.actualBytes)) of "
            + ByteSize.format(overage.budgetBytes)
        let duration = overage.overForMs.map { "for \(minutes($0)) min" } ?? "for an unknown time (no current budget record)"
        let lasting = overage.overForMs.map { $0 >= settings.warnAfterMs } ?? false
        if let shortage {
            text += " while memory is short (\(shortage))"
            return (true, text)
        }
        text += " " + duration
        if lasting { return (true, text + " (warn after \(minutes(settings.warnAfterMs)) min)") }
        return (false, "budget: " + text + "; no warning: memory is not short and it has not lasted "
            + "\(minutes(settings.warnAfterMs)) min")
    }

    static let applicationsSubject = "applications"

    private static func minutes(_ ms: Int64) -> Int64 { ms / 60_000 }
}
