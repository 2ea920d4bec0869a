/// One service considered as the culprit, with the parts of its score (all in the incident).
public struct Candidate: Equatable, Sendable {
    public var unit: String
    public var category: BudgetCategory
    public var workingSetBytes: UInt64
    /// max(0, working set - its budget expectation).
    public var overBytes: UInt64
    /// Working set growth over the growth window (0 when it shrank).
    public var growthBytes: UInt64
    public var growthWindowSeconds: Double
    public var swapBytes: UInt64
    /// Its own PSI some avg10.
    public var pressureSomeAvg10: Double
    /// 2 for prefer, 0.25 for avoid, 1 otherwise.
    public var weight: Double
    public var score: Double
    /// Why it may not be acted on; nil when eligible.
    public var exclusion: Exclusion?

    /// `exclusion` as the incident's `excluded_reason`.
    public var excludedReason: String? { exclusion?.sentence }
}
