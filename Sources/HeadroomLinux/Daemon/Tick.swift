import HeadroomCore

/// One tick of the daemon: sample the system, ask the supervisor how much of the cgroup tree
/// to read, read it, and let the supervisor decide. The daemon and Benchmarks/ both call
/// this; a steady tick allocates nothing (`./dev.sh bench malloc-check`).
///
/// ```
/// SystemSampler.sample ─> Supervisor.plan ─> ServiceSampler.scan ─> Supervisor.observe ─> [SupervisorAction]
/// ```
public final class Tick {
    public enum Outcome {
        /// The system's figures could not be read; nothing was decided.
        case failed(KernelFileError)
        case decided(Decision)
    }

    public struct Decision {
        public var system: SystemSample
        public var scan: ServiceScan
        public var actions: [SupervisorAction]
        /// The cgroup tree was listed anew (units and slices may have come or gone).
        public var relisted: Bool
    }

    public let systemSampler: SystemSampler
    public let serviceSampler: ServiceSampler
    public var supervisor: Supervisor
    /// The policy's memory after the last tick, in short: the daemon writes the state file when it
    /// changes (`PolicyStateFile`). Computed here so that the malloc check covers it.
    public private(set) var memoryFingerprint = PolicyMemory.Fingerprint()

    public init(systemSampler: SystemSampler, serviceSampler: ServiceSampler, supervisor: Supervisor) {
        self.systemSampler = systemSampler
        self.serviceSampler = serviceSampler
        self.supervisor = supervisor
    }

    /// - Parameter plan: the scan to make instead of the supervisor's (benchmarks measure
    ///   each detail on its own); nil in the daemon.
    public func run(now: Double, wallClockMs: Int64, plan forced: ScanPlan? = nil) -> Outcome {
        let system: SystemSample
        do {
            system = try systemSampler.sample()
        } catch {
            return .failed(error)
        }
        let plan = forced ?? supervisor.plan(now: now, system: system)
        let scan = serviceSampler.scan(relist: plan.relist, detail: plan.detail)
        supervisor.scanned(vanished: !scan.vanished.isEmpty)
        let observation = Observation(time: now, wallClockMs: wallClockMs, system: system,
                                      services: scan.services, perServiceAvailable: scan.visibility.isAvailable)
        let actions = supervisor.observe(observation)
        memoryFingerprint = PolicyMemory.Fingerprint(supervisor.policy)
        return .decided(Decision(system: system, scan: scan, actions: actions, relisted: plan.relist))
    }
}
