/// What the daemon has seen of the budget since it began recording this boot: each category's
/// and unit's peak, and since when each has been over its budget. One-shot commands cannot
/// know either: `headroom budget` shows the peaks, and `headroom check` warns about an
/// overage that has lasted `budget.warn_after_minutes` (docs/ARCHITECTURE.md, "Budget record").
///
/// Pure: the daemon feeds reports in (`observe`), `BudgetRecordFile` stores it as JSON.
public struct BudgetRecord: Equatable, Sendable {
    public static let schema: Int64 = 1
    /// Units kept at most; the least recently seen go first (a bound on the file's size).
    public static let maximumUnits = 2_000

    public struct Line: Equatable, Sendable {
        public var peakBytes: UInt64
        public var peakAtMs: Int64
        /// When the current overage began; nil while within budget (or not seen).
        public var overSinceMs: Int64?
        public var lastSeenMs: Int64

        public init(peakBytes: UInt64, peakAtMs: Int64, overSinceMs: Int64?, lastSeenMs: Int64) {
            self.peakBytes = peakBytes
            self.peakAtMs = peakAtMs
            self.overSinceMs = overSinceMs
            self.lastSeenMs = lastSeenMs
        }
    }

    /// When recording began (peaks are "since" this).
    public var startedAtMs: Int64
    /// The last `observe`.
    public var updatedAtMs: Int64
    /// By category name (`BudgetCategory.rawValue`, "application" included).
    public var categories: [String: Line]
    /// By unit name.
    public var units: [String: Line]

    public init(startedAtMs: Int64, updatedAtMs: Int64? = nil, categories: [String: Line] = [:],
                units: [String: Line] = [:]) {
        self.startedAtMs = startedAtMs
        self.updatedAtMs = updatedAtMs ?? startedAtMs
        self.categories = categories
        self.units = units
    }

    /// Takes in one report: raises peaks, starts or ends overages. A unit absent from the report
    /// keeps its peak but is no longer over.
    public mutating func observe(_ report: BudgetReport, nowMs: Int64) {
        updatedAtMs = nowMs
        for category in report.categories {
            guard let actual = category.actualBytes else { continue }
            Self.update(&categories[category.category.rawValue], actual: actual,
                        over: (category.overBytes ?? 0) > 0, nowMs: nowMs)
        }
        if let actual = report.application.actualBytes {
            Self.update(&categories[BudgetCategory.application.rawValue], actual: actual,
                        over: (report.application.headroomBytes ?? 0) < 0, nowMs: nowMs)
        }
        let present = report.categories.flatMap(\.units) + report.application.units
        for unit in present {
            Self.update(&units[unit.unit], actual: unit.actualBytes, over: unit.overBytes > 0, nowMs: nowMs)
        }
        for (name, line) in units where line.lastSeenMs != nowMs && line.overSinceMs != nil {
            units[name]?.overSinceMs = nil
        }
        if units.count > Self.maximumUnits {
            let oldest = units.sorted { $0.value.lastSeenMs < $1.value.lastSeenMs }.prefix(units.count - Self.maximumUnits)
            for (name, _) in oldest { units[name] = nil }
        }
    }

    private static func update(_ line: inout Line?, actual: UInt64, over: Bool, nowMs: Int64) {
        var next = line ?? Line(peakBytes: actual, peakAtMs: nowMs, overSinceMs: nil, lastSeenMs: nowMs)
        if actual > next.peakBytes {
            next.peakBytes = actual
            next.peakAtMs = nowMs
        }
        next.overSinceMs = over ? (next.overSinceMs ?? nowMs) : nil
        next.lastSeenMs = nowMs
        line = next
    }

    /// How long `line` has been over, at `nowMs`; nil when it is not over or the record is
    /// older than `staleAfterMs` (the daemon stopped recording, so "since" says nothing now).
    public func overFor(_ line: Line?, nowMs: Int64, staleAfterMs: Int64) -> Int64? {
        guard let since = line?.overSinceMs, nowMs - updatedAtMs <= staleAfterMs else { return nil }
        return Swift.max(0, nowMs - since)
    }
}

extension BudgetReport {
    /// This report with the recorded peaks (each at least the current figure); a line the record
    /// does not have keeps no peak.
    public func withPeaks(from record: BudgetRecord) -> BudgetReport {
        func peak(_ line: BudgetRecord.Line?, _ actual: UInt64?) -> UInt64? {
            guard let line else { return nil }
            return Swift.max(line.peakBytes, actual ?? 0)
        }
        func unitPeaks(_ units: [UnitBudget]) -> [UnitBudget] {
            units.map { unit in
                var unit = unit
                unit.peakBytes = peak(record.units[unit.unit], unit.actualBytes)
                return unit
            }
        }
        var report = self
        for index in report.categories.indices {
            let category = report.categories[index]
            report.categories[index].peakBytes = peak(record.categories[category.category.rawValue], category.actualBytes)
            report.categories[index].units = unitPeaks(category.units)
        }
        report.application.peakBytes = peak(record.categories[BudgetCategory.application.rawValue],
                                            report.application.actualBytes)
        report.application.units = unitPeaks(report.application.units)
        return report
    }
}
