#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The daemon's side of `setUnitLimits` / `liftUnitLimits`: the SetUnitProperties call goes out
/// without blocking the loop (`UnitControl.setMemoryProperties`), and the record in the state
/// directory (`RuntimeLimitStore`, shared with `headroom release`) is written after the call is
/// issued and put back when the call fails. The record is written before the reply, so a daemon
/// killed in between still leaves a limit that `headroom release` and the next start know of.
final class UnitLimitActions {
    let store: RuntimeLimitStore
    /// The unit's own values now (from its cgroup's memory.high/max/swap.max): what a lift restores.
    let currentValues: (String) -> [UnitMemoryProperty: UInt64]
    let log: (LogLevel, String) -> Void
    /// The units in the record as this daemon last saw or wrote it, and the file's identity then:
    /// a unit that leaves the record without this daemon lifting it was released by `headroom release`.
    private var knownUnits: Set<String> = []
    private var fileIdentity: FileIdentity?

    init(store: RuntimeLimitStore, currentValues: @escaping (String) -> [UnitMemoryProperty: UInt64],
         log: @escaping (LogLevel, String) -> Void) {
        self.store = store
        self.currentValues = currentValues
        self.log = log
    }

    /// Issues the call; returns the record's update, to run once every bus call of the batch is out.
    func set(unit: String, purpose: RuntimeLimitPurpose, values: [UnitMemoryProperty: UInt64], incidentID: String,
             nowMs: Int64, control: UnitControl?, finished: @escaping (JobResult) -> Void) -> () -> Void {
        let assignments = UnitMemoryProperty.allCases.compactMap { property in values[property].map { (property, $0) } }
        let previous = currentValues(unit).filter { values[$0.key] != nil }
        let limit = RuntimeLimit(unit: unit, purpose: purpose, values: values, previous: previous, setAtMs: nowMs,
                                 incidentID: incidentID)
        var before: RuntimeLimit?? = .none
        var failed = false
        let issue = { [self] (result: JobResult) in
            if !result.succeeded {
                failed = true
                if case .some(let earlier) = before { restore(unit: unit, to: earlier) }
            }
            finished(result)
        }
        guard let control else {
            issue(.notIssued("not connected to systemd"))
            return {}
        }
        log(.warning, "SetUnitProperties(\(unit), runtime, \(SetUnitPropertiesMessage.describe(assignments))) for \(purpose.rawValue)")
        control.setMemoryProperties(unit: unit, assignments, finished: issue)
        return { [self] in
            guard !failed else { return }
            before = .some(update { record in
                let earlier = record[unit]
                record.record(limit)
                return earlier
            } ?? nil)
            fileIdentity = FileIdentity(path: store.path)
        }
    }

    /// Lifts what Headroom set on `unit` for `purpose` (a containment is never lifted for a
    /// throttle's end). The record is changed when systemd confirms.
    func lift(unit: String, purpose: RuntimeLimitPurpose, control: UnitControl?) {
        let recorded: RuntimeLimit?
        do { recorded = try store.load()[unit] } catch {
            log(.error, "cannot lift the \(purpose.rawValue) on \(unit): \(error)")
            return
        }
        guard let limit = recorded else {
            log(.info, "no runtime limit of Headroom's on \(unit) to lift")
            return
        }
        guard limit.purpose == purpose else {
            log(.info, "kept the \(limit.purpose.rawValue) on \(unit) (the \(purpose.rawValue) ended)")
            return
        }
        guard let control else {
            log(.error, "cannot lift the \(purpose.rawValue) on \(unit): not connected to systemd")
            return
        }
        log(.notice, "SetUnitProperties(\(unit), runtime, \(SetUnitPropertiesMessage.describe(limit.liftAssignments))) "
            + "lifts the \(purpose.rawValue)")
        // Forgotten only once systemd confirms (replies come later, on the loop): a daemon killed
        // before that leaves the entry, and the next start or `headroom release` lifts it again.
        control.setMemoryProperties(unit: unit, limit.liftAssignments) { [self] result in
            guard result.succeeded else {
                log(.error, "lifting the \(purpose.rawValue) on \(unit) failed: \(result.recordText); "
                    + "`headroom release \(unit)` tries again")
                return
            }
            _ = update { record in record.remove(unit: unit) }
            fileIdentity = FileIdentity(path: store.path)
        }
    }

    private func restore(unit: String, to limit: RuntimeLimit?) {
        _ = update { record -> Bool in
            record.remove(unit: unit)
            if let limit { record.record(limit) }
            return true
        }
        fileIdentity = FileIdentity(path: store.path)
    }

    private func update<Result>(_ body: (inout RuntimeLimitRecord) -> Result) -> Result? {
        do {
            return try store.update { record in
                let result = body(&record)
                knownUnits = Set(record.limits.keys)
                return result
            }
        } catch {
            log(.error, "\(error)")
            return nil
        } 
    }

    // MARK: `headroom release`

    /// Takes the record as it is now as known (at start).
    func noteRecordedUnits() {
        fileIdentity = FileIdentity(path: store.path)
        knownUnits = Set(((try? store.load())?.limits.keys).map(Array.init) ?? [])
    }

    /// The units someone else (`headroom release`) took out of the record since the last look;
    /// a `stat` per call while the file is unchanged.
    func releasedElsewhere() -> [String] {
        let identity = FileIdentity(path: store.path)
        guard identity != fileIdentity else { return [] }
        fileIdentity = identity
        guard let record = try? store.load() else { return [] }
        let units = Set(record.limits.keys)
        let released = knownUnits.subtracting(units).sorted()
        knownUnits = units
        return released
    }
}

/// Which file a path names and when it last changed: an atomic rewrite changes the inode.
struct FileIdentity: Equatable {
    let inode: UInt64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    /// nil when the file does not exist.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
