/// One memory incident: what happened, what Headroom decided and did, and how it ended
/// (DESIGN §7). Written as JSON (schema 1) and as one journal entry.
public struct Incident: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        /// Headroom throttled the culprit (runtime `MemoryHigh=`) and did not need more.
        case throttle
        /// Headroom restarted (or, in dry-run, would have restarted) the culprit.
        case restart
        /// Headroom contained a unit that regrows after its restarts (runtime `MemoryMax=`).
        case contain
        /// Headroom terminated a runaway process in a protected login session.
        case runawayProcess = "runaway_process"
        /// Critical, but no unit could be acted on (all protected, looping or too small).
        case noActionableCulprit = "no_actionable_culprit"
        /// The kernel OOM killer fired: Headroom missed it or could not prevent it.
        case kernelOomKill = "kernel_oom_kill"
    }

    public enum Outcome: String, Equatable, Sendable {
        case pending
        /// Memory came back: the level left critical after the action.
        case recovered
        /// The action completed but the VM stayed critical.
        case notRecovered = "not_recovered"
        /// The restart job failed or could not be issued.
        case failed
        /// Recorded only: dry-run.
        case dryRun = "dry_run"
        /// Nothing was done.
        case noAction = "no_action"
        /// A process was killed by the kernel.
        case kernelOomKill = "kernel_oom_kill"
        /// Headroom stopped before the action's outcome was seen.
        case interrupted
    }

    public struct SystemSnapshot: Equatable, Sendable {
        public var memTotalBytes: UInt64
        public var memAvailableBytes: UInt64
        public var swapTotalBytes: UInt64
        public var swapFreeBytes: UInt64
        public var swappiness: Int
        public var pressure: Pressure
        public var forecastSeconds: Double?
        public var kernelOomKills: UInt64

        init(_ sample: SystemSample, forecastSeconds: Double?) {
            memTotalBytes = sample.meminfo.memTotal
            memAvailableBytes = sample.meminfo.memAvailable
            swapTotalBytes = sample.meminfo.swapTotal
            swapFreeBytes = sample.meminfo.swapFree
            swappiness = sample.swappiness
            pressure = sample.pressure
            self.forecastSeconds = forecastSeconds
            kernelOomKills = sample.vmstat.oomKill
        }
    }

    public struct ActionRecord: Equatable, Sendable {
        public enum Kind: String, Equatable, Sendable {
            case throttle, restart, kill, contain, release
            case terminateProcess = "terminate_process"
        }
        public var kind: Kind
        public var unit: String
        public var issuedAtMs: Int64
        /// systemd's job result (`done`, `failed`, `timeout`, ...), or the error issuing it.
        public var result: String?
        public var finishedAtMs: Int64?
        public var dryRun: Bool
        /// What was set and how to lift it (`MemoryMax=... ; lift: headroom release UNIT`), or
        /// the process terminated; nil for a restart or kill.
        public var detail: String? = nil
    }

    public let id: String
    public var kind: Kind
    public var startedAtMs: Int64
    public var updatedAtMs: Int64
    public var level: PressureLevel
    public var trigger: Trigger
    public var system: SystemSnapshot
    public var budget: BudgetReport?
    public var candidates: [Candidate]
    public var culprit: String?
    public var actions: [ActionRecord] = []
    public var memoryReleasedBytes: Int64?
    public var outcome: Outcome
    /// Units the kernel OOM-killed in, by memory.events oom_kill deltas.
    public var kernelOomKilledUnits: [String] = []
    public var kernelOomKillsDuring: UInt64 = 0
    /// Why Headroom could not act (`no_actionable_culprit`); its code is the JSON `reason`.
    public var noActionReason: CulpritChooser.NoActionReason? = nil
    /// The culprit's largest processes, read by the shell just before it acted on the unit;
    /// nil when the incident acted on no unit (or the processes could not be read).
    public var culpritProcesses: [ProcessSnapshot]?
    /// Where the culprit's shared memory is (its shmem and the tmpfs mounts it sees), read with
    /// the processes.
    public var sharedMemory: SharedMemoryReport?
    /// The paragraph ops read first.
    public var narrative: String
    /// True once the narrative is final and the journal entry has been written.
    public var journaled = false
    public var dryRun: Bool
}
