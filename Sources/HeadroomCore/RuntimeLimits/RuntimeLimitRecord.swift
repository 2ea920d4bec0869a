/// Every runtime limit Headroom has set and not yet lifted, by unit. Kept in the state
/// directory (`runtime-limits.json`) so `headroom release` and a restarted daemon know what
/// to lift.
public struct RuntimeLimitRecord: Equatable, Sendable {
    public private(set) var limits: [String: RuntimeLimit] = [:]

    public init(_ limits: [RuntimeLimit] = []) {
        for limit in limits { record(limit) }
    }

    /// Adds a limit just set, merged with what the unit already had from Headroom.
    public mutating func record(_ limit: RuntimeLimit) {
        limits[limit.unit] = limits[limit.unit].map { $0.merged(with: limit) } ?? limit
    }

    /// Forgets a unit's limit once it is lifted; returns what was recorded.
    @discardableResult
    public mutating func remove(unit: String) -> RuntimeLimit? { limits.removeValue(forKey: unit) }

    public subscript(unit: String) -> RuntimeLimit? { limits[unit] }

    /// All limits, by unit name, for stable output.
    public var sorted: [RuntimeLimit] { limits.values.sorted { $0.unit < $1.unit } }

    /// The limits with this purpose, by unit name: on daemon stop, the throttles are lifted.
    public func limits(for purpose: RuntimeLimitPurpose) -> [RuntimeLimit] { sorted.filter { $0.purpose == purpose } }

    public var isEmpty: Bool { limits.isEmpty }
}
