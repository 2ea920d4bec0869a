/// Why Headroom put a runtime memory limit on a unit; it decides when the limit goes.
public enum RuntimeLimitPurpose: String, Equatable, Sendable, CaseIterable {
    /// `MemoryHigh=` so the unit reclaims its own pages; lifted when the pressure passes and
    /// when the daemon stops, because without the daemon nobody would lift it later.
    case throttle
    /// `MemoryMax=`/`MemoryHigh=` around a unit that regrows after its restarts; stays until
    /// `headroom release UNIT`, across daemon restarts, because lifting it on its own would let
    /// the leak take the VM down again.
    case contain
}

/// A systemd memory property Headroom sets at runtime (`SetUnitProperties`, runtime=true).
public enum UnitMemoryProperty: String, Equatable, Sendable, CaseIterable {
    case memoryHigh = "MemoryHigh"
    case memoryMax = "MemoryMax"
    /// Part of a containment: a contained leaker must not move its growth into swap.
    case memorySwapMax = "MemorySwapMax"
}

/// What Headroom set on one unit at runtime and what the unit had before, so that lifting
/// puts back the unit's own setting (usually `infinity`) rather than erasing it.
public struct RuntimeLimit: Equatable, Sendable {
    /// `UInt64.max` is systemd's `infinity` (no limit).
    public static let infinity = UInt64.max

    public var unit: String
    public var purpose: RuntimeLimitPurpose
    /// The values Headroom set, by property; a property absent here was not touched.
    public var values: [UnitMemoryProperty: UInt64]
    /// The unit's values before Headroom first touched it, by property.
    public var previous: [UnitMemoryProperty: UInt64]
    /// Wall-clock milliseconds of the latest change.
    public var setAtMs: Int64
    /// The incident that set it, when there is one.
    public var incidentID: String?

    public init(unit: String, purpose: RuntimeLimitPurpose, values: [UnitMemoryProperty: UInt64],
                previous: [UnitMemoryProperty: UInt64], setAtMs: Int64, incidentID: String? = nil) {
        self.unit = unit
        self.purpose = purpose
        self.values = values
        self.previous = previous
        self.setAtMs = setAtMs
        self.incidentID = incidentID
    }

    /// The assignments that lift this limit: each property Headroom set goes back to the value
    /// the unit had before (infinity when nothing was recorded), in a fixed order.
    public var liftAssignments: [(property: UnitMemoryProperty, value: UInt64)] {
        UnitMemoryProperty.allCases.filter { values[$0] != nil }.map { ($0, previous[$0] ?? Self.infinity) }
    }

    /// This limit followed by a later one on the same unit: the later values win, the earliest
    /// `previous` stays (it is the unit's own setting), and containment outranks a throttle.
    public func merged(with later: RuntimeLimit) -> RuntimeLimit {
        var result = later
        result.values = values.merging(later.values) { _, new in new }
        result.previous = later.previous.merging(previous) { _, first in first }
        if purpose == .contain { result.purpose = .contain }
        if result.incidentID == nil { result.incidentID = incidentID }
        return result
    }

    /// "MemoryHigh=512 MiB" / "MemoryMax=infinity", for messages.
    public static func describe(_ property: UnitMemoryProperty, _ value: UInt64) -> String {
        "\(property.rawValue)=" + (value == infinity ? "infinity" : ByteSize.format(value))
    }
}
