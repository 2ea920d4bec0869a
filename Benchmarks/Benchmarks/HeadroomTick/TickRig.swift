import HeadroomCore
import HeadroomLinux

/// The daemon's own `Tick` over a fixture tree, outside the event loop. Files stay open as
/// on a live system, and each tick's scan is forced to one detail without relisting, so this
/// measures the steady-state tick between listings.
final class TickRig: @unchecked Sendable {
    let root: String
    let tick: Tick
    var time = 0.0

    /// - Parameter remembering: restore a policy memory first (a fifth of the units restarted, three
    ///   contained), as a daemon restarted after a leak would: the state file's change check
    ///   (`PolicyMemory.Fingerprint`, computed in `Tick`) then hashes them on every tick.
    init(services count: Int, remembering: Bool = false) throws {
        root = try FixtureTree.make(services: count)
        // As the daemon makes it: unit start times are read when a cgroup is (re)opened.
        let services = ServiceSampler(visibility: .available(cgroupRoot: root + "/sys/fs/cgroup"), keepFilesOpen: true,
                                      unitStarts: ProcessSnapshotReader(paths: KernelPaths(root: root)))
        let listed = services.scan(relist: true)
        precondition(listed.services.count == count && listed.problems.isEmpty && listed.vanished.isEmpty,
                     "fixture tree \(root): expected \(count) readable units, got \(listed.services.count), "
                         + "problems \(listed.problems), vanished \(listed.vanished)")
        tick = Tick(systemSampler: SystemSampler(paths: KernelPaths(root: root), keepFilesOpen: true),
                    serviceSampler: services,
                    supervisor: Supervisor(settings: SupervisorSettings(), budget: .platformDefault))
        if remembering { Self.remember(listed.services.map(\.unit), in: tick) }
    }

    private static func remember(_ units: [String], in tick: Tick) {
        let restarted = units.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        let histories = restarted.map { unit in
            UnitMemoryHistory.Remembered(unit: unit, startedAt: -100, restarts: 2, levelAtLastRestart: 500 << 20,
                                         settledBytes: 20 << 20, earlierSettledBytes: 20 << 20)
        }
        let ladders = restarted.prefix(3).map { unit in
            UnitLadder(unit: unit, step: .contained(memoryMax: 600 << 20, memoryHigh: 540 << 20, since: -50))
        }
        PolicyMemory(bootID: "bench", histories: histories, ladders: ladders).restore(into: &tick.supervisor)
    }

    /// One tick; returns a figure that depends on all of its work, for blackHole.
    func tick(_ detail: ScanDetail) -> Int {
        time += 1
        let outcome = tick.run(now: time, wallClockMs: 1_800_000_000_000 + Int64(time * 1000),
                               plan: ScanPlan(relist: false, detail: detail))
        guard case .decided(let decision) = outcome else { fatalError("\(outcome)") }
        return decision.actions.count &+ decision.scan.services.count
            &+ Int(truncatingIfNeeded: decision.system.meminfo.memAvailable)
    }

    private var calmTicks = 0

    /// The calm daemon's pattern (`ScanDetail.calm`): memory.stat every few ticks, memory.current otherwise.
    func calmTick() -> Int {
        calmTicks += 1
        return tick(.calm(tick: calmTicks))
    }
}
