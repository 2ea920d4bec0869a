import HeadroomCore

/// Sets and lifts Headroom's runtime memory limits on units, keeping the record in step:
/// the record is locked across the systemd call, so the daemon and `headroom release` never
/// lift or record half of a change.
public struct RuntimeLimitKeeper {
    public let systemd: any UnitPropertyAccess
    public let store: RuntimeLimitStore

    public init(systemd: any UnitPropertyAccess, store: RuntimeLimitStore) {
        self.systemd = systemd
        self.store = store
    }

    /// Sets `values` on `unit` at runtime and records them with the unit's previous values.
    /// - Returns: the unit's limit as now recorded (merged with an earlier one from Headroom).
    /// - Throws: `RuntimeLimitError`; when the record cannot be written, the change is undone.
    public func apply(unit: String, purpose: RuntimeLimitPurpose, values: [UnitMemoryProperty: UInt64],
                      nowMs: Int64, incidentID: String? = nil) throws(RuntimeLimitError) -> RuntimeLimit {
        try Self.validate(unit, "set a runtime limit")
        let assignments = UnitMemoryProperty.allCases.compactMap { property in values[property].map { (property, $0) } }
        let outcome: Result<RuntimeLimit, RuntimeLimitError>
        do throws(RuntimeLimitStoreError) {
            outcome = try store.update { record in
                do throws(UnitPropertyError) {
                    let current = try systemd.memoryLimits(unit: unit)
                    let previous = current.filter { values[$0.key] != nil }
                    try systemd.set(unit: unit, assignments)
                    record.record(RuntimeLimit(unit: unit, purpose: purpose, values: values, previous: previous,
                                               setAtMs: nowMs, incidentID: incidentID))
                    return .success(record[unit]!)
                } catch { return .failure(.systemd(error)) }
            }
        } catch {
            throw .record(error)
        }
        return try outcome.get()
    }

    /// Lifts what Headroom set on `unit` (each property back to the unit's previous value) and
    /// forgets it. A unit systemd no longer knows is forgotten too (`unitGone`).
    /// - Throws: `.notRecorded` when Headroom set nothing on it; `.systemd` when the lift failed
    ///   (the record keeps the unit, so a later release can try again).
    public func release(unit: String) throws(RuntimeLimitError) -> RuntimeLimitRelease {
        try Self.validate(unit, "release")
        let outcome: Result<RuntimeLimitRelease, RuntimeLimitError>
        do throws(RuntimeLimitStoreError) {
            outcome = try store.update { record in
                guard let limit = record[unit] else { return .failure(.notRecorded(unit: unit)) }
                do throws(UnitPropertyError) {
                    try systemd.set(unit: unit, limit.liftAssignments)
                } catch where error.kind == .noSuchUnit {
                    record.remove(unit: unit)
                    return .success(RuntimeLimitRelease(limit: limit, unitGone: true))
                } catch {
                    return .failure(.systemd(error))
                }
                record.remove(unit: unit)
                return .success(RuntimeLimitRelease(limit: limit, unitGone: false))
            }
        } catch {
            throw .record(error)
        }
        return try outcome.get()
    }

    static func validate(_ unit: String, _ operation: String) throws(RuntimeLimitError) {
        if let problem = UnitName.validationError(unit) {
            throw .systemd(UnitPropertyError(kind: .invalidName, unit: "'\(unit)'", operation: operation, message: problem))
        }
    }

    /// Releases every recorded unit with `purpose` (all when nil), each on its own: one
    /// failure does not keep the others limited.
    public func releaseAll(purpose: RuntimeLimitPurpose? = nil)
        throws(RuntimeLimitError) -> [(unit: String, result: Result<RuntimeLimitRelease, RuntimeLimitError>)] {
        let record: RuntimeLimitRecord
        do { record = try store.load() } catch { throw .record(error) }
        let units = (purpose.map { record.limits(for: $0) } ?? record.sorted).map(\.unit)
        return units.map { unit in
            do throws(RuntimeLimitError) {
                return (unit, .success(try release(unit: unit)))
            } catch { return (unit, .failure(error)) }
        }
    }
}

/// What a release did.
public struct RuntimeLimitRelease: Equatable, Sendable {
    /// What Headroom had recorded (and has now lifted).
    public var limit: RuntimeLimit
    /// systemd no longer knows the unit: nothing was lifted, the entry was dropped.
    public var unitGone: Bool

    /// "released web.service (contain): MemoryHigh=infinity, MemoryMax=infinity".
    public var sentence: String {
        if unitGone {
            return "forgot \(limit.unit) (\(limit.purpose.rawValue)): systemd no longer knows the unit, nothing to lift"
        }
        return "released \(limit.unit) (\(limit.purpose.rawValue)): "
            + SetUnitPropertiesMessage.describe(limit.liftAssignments) + " (runtime)"
    }
}

/// Setting or lifting a runtime limit failed.
public enum RuntimeLimitError: Error, Equatable, Sendable, CustomStringConvertible {
    case systemd(UnitPropertyError)
    case record(RuntimeLimitStoreError)
    /// Headroom has no runtime limit recorded on the unit.
    case notRecorded(unit: String)

    public var description: String {
        switch self {
        case .systemd(let error): "\(error)"
        case .record(let error): "\(error)"
        case .notRecorded(let unit): "Headroom has set no runtime limit on \(unit) (nothing recorded to release); "
            + "`systemctl show -p MemoryHigh -p MemoryMax \(unit)` shows what is set and where it comes from"
        }
    }
}
