/// What the decision policy keeps across a daemon restart (DESIGN §5: "per-unit history kept in
/// the state directory so a daemon restart forgets nothing"): each unit's restarts and the sizes
/// that tell regrowth (`UnitMemoryHistory.Remembered`), and each ladder step in force (throttle,
/// restart awaited, containment). Kept in `STATE_DIR/policy-state.json` by the shell.
///
/// Times are seconds on the daemon's tick clock (CLOCK_MONOTONIC), which runs on across a daemon
/// restart but starts again at a reboot; hence `bootID`: a memory from another boot says nothing
/// (unit runs and runtime unit properties do not survive a reboot either).
public struct PolicyMemory: Equatable, Sendable {
    /// `/proc/sys/kernel/random/boot_id` of the boot whose clock the times are on.
    public var bootID: String
    /// By unit name.
    public var histories: [UnitMemoryHistory.Remembered]
    /// Ladders with a step (never `idle`), by unit name.
    public var ladders: [UnitLadder]

    public init(bootID: String, histories: [UnitMemoryHistory.Remembered], ladders: [UnitLadder]) {
        self.bootID = bootID
        self.histories = histories.sorted { $0.unit < $1.unit }
        self.ladders = ladders.filter { $0.step != .idle }.sorted { $0.unit < $1.unit }
    }

    /// What `supervisor` would lose if the daemon stopped now.
    public init(bootID: String, supervisor: Supervisor) {
        let kept = supervisor.remembered
        self.init(bootID: bootID, histories: kept.histories, ladders: kept.ladders)
    }

    /// What the shell's `HostIdentity.bootID` gives when `/proc/sys/kernel/random/boot_id` cannot be read.
    public static let unknownBoot = "unknown"

    public var isEmpty: Bool { histories.isEmpty && ladders.isEmpty }

    /// Whether this memory's times are on the clock of the boot `currentBootID` (an unknown boot
    /// matches nothing: its clock cannot be vouched for).
    public func isFrom(boot currentBootID: String) -> Bool {
        bootID == currentBootID && bootID != Self.unknownBoot
    }

    /// Hands the histories and ladder steps to a supervisor just built (before its first tick).
    public func restore(into supervisor: inout Supervisor) {
        supervisor.restore(histories: histories, ladders: ladders)
    }
}
