/// Counts over the incident files kept in the state directory, for `headroom metrics`.
///
/// These count what the kept files record, so they fall when retention removes old files
/// (`incidents.keep_count` / `keep_days`): they are gauges, not counters.
public struct IncidentTally: Equatable, Sendable {
    /// Incident files by kind.
    public var byKind: [Incident.Kind: Int] = [:]
    /// Restart and kill actions Headroom issued (dry-run actions are not counted).
    public var restarts = 0
    public var kills = 0
    /// Processes the kernel OOM killer killed anyway: the kills recorded by `kernel_oom_kill` incidents.
    public var missedKernelOomKills: UInt64 = 0
    /// Files left out because they could not be read or are not schema 1 incidents.
    public var unreadableFiles = 0

    public init() {}

    public var incidents: Int { byKind.values.reduce(0, +) }

    /// Counts one incident file.
    /// - Parameters:
    ///   - summary: the file's summary (already validated).
    ///   - document: the whole file, for its actions and kernel OOM kills.
    public mutating func add(_ summary: IncidentSummary, document: JSONValue) {
        byKind[summary.kind, default: 0] += 1
        let incident = IncidentDocument(document)
        for action in incident.items(IncidentKey.actions) where !action.flag(IncidentKey.dryRun) {
            switch action.text(IncidentKey.kind) {
            case Incident.ActionRecord.Kind.restart.rawValue?: restarts += 1
            case Incident.ActionRecord.Kind.kill.rawValue?: kills += 1
            default: break
            }
        }
        // A kernel OOM kill during a restart incident is counted there and in an incident of its own:
        // only the latter is counted here.
        if summary.kind == .kernelOomKill, let kills = incident.integer(IncidentKey.kernelOomKillsDuring), kills > 0 {
            missedKernelOomKills = missedKernelOomKills.saturatingAdd(UInt64(kills))
        }
    }
}
