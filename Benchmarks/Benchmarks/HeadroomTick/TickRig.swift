import HeadroomCore
import HeadroomLinux

/// What the daemon does on a tick, outside the event loop: sample the system, re-read every
/// known unit (no relisting) at the given detail, and let the supervisor decide. Files stay
/// open as on a live system, so this measures the steady-state tick between listings.
final class TickRig: @unchecked Sendable {
    let root: String
    let system: SystemSampler
    let services: ServiceSampler
    var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
    var time = 0.0

    init(services count: Int) throws {
        root = try FixtureTree.make(services: count)
        system = SystemSampler(paths: KernelPaths(root: root), keepFilesOpen: true)
        services = ServiceSampler(visibility: .available(cgroupRoot: root + "/sys/fs/cgroup"), keepFilesOpen: true)
        let listed = services.scan(relist: true)
        precondition(listed.services.count == count && listed.problems.isEmpty && listed.vanished.isEmpty,
                     "fixture tree \(root): expected \(count) readable units, got \(listed.services.count), "
                         + "problems \(listed.problems), vanished \(listed.vanished)")
    }

    /// One tick; returns a figure that depends on all of its work, for blackHole.
    func tick(_ detail: ScanDetail) -> Int {
        time += 1
        let sample: SystemSample
        do {
            sample = try system.sample()
        } catch {
            fatalError("\(error)")
        }
        let scan = services.scan(relist: false, detail: detail)
        let observation = Observation(time: time, wallClockMs: 1_800_000_000_000 + Int64(time * 1000),
                                      system: sample, services: scan.services)
        let actions = supervisor.observe(observation)
        return actions.count &+ scan.services.count &+ Int(truncatingIfNeeded: sample.meminfo.memAvailable)
    }

    private var calmTicks = 0

    /// The calm daemon's pattern (`ScanDetail.calm`): memory.stat every few ticks, memory.current otherwise.
    func calmTick() -> Int {
        calmTicks += 1
        return tick(.calm(tick: calmTicks))
    }
}
