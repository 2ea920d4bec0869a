@testable import HeadroomCore

/// A scripted VM for the decision tests: services whose working sets follow functions of
/// time, a fixed base use, and swap. The driver samples at the tick the supervisor asks
/// for and carries out its actions the way the daemon would (a restart resets the unit
/// after `restartTakes` seconds, unless `hangs` is set).
struct SimulatedVM {
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30

    struct Service {
        var unit: String
        /// Working set at `t` seconds since the unit (re)started.
        var workingSet: (Double) -> UInt64
        var startedAt = 0.0
        /// The start systemd reports (`ServiceSample.startedAt`): long before the timeline
        /// unless set, so a unit is not young until restarted.
        var reportedStart = -86_400.0
        /// Working set after a restart; nil = the same function again (it regrows).
        var afterRestart: ((Double) -> UInt64)? = nil
        var restarts = 0
        var inactiveFile: UInt64 = 0
        var oomKills: UInt64 = 0
        /// A containment's runtime MemoryMax: past it the cgroup OOMs and systemd restarts the unit.
        var memoryMax: UInt64? = nil
    }

    var memTotal: UInt64 = 2 * gib - 150 * mib
    var installed: UInt64 = 2 * gib
    var baseUsed: UInt64 = 350 * mib
    var swapTotal: UInt64 = gib
    var swapUsed: UInt64 = 0
    var swappiness = 1
    var kernelOomKills: UInt64 = 0
    var services: [Service]

    func available(at time: Double) -> UInt64 {
        let used = baseUsed + services.reduce(0) { $0 + $1.current(at: time) }
        return memTotal > used ? memTotal - used : 0
    }

    func observation(at time: Double) -> Observation {
        var info = Meminfo()
        info.memTotal = memTotal
        info.memAvailable = available(at: time)
        info.memFree = info.memAvailable
        info.swapTotal = swapTotal
        info.swapFree = swapTotal - swapUsed
        let availablePercent = Double(info.memAvailable) / Double(memTotal) * 100
        // Stalls start when memory is nearly gone, as on the real guest.
        let stall = availablePercent < 3 ? 60.0 : 0
        let system = SystemSample(
            // While stalling, stall time accrues (the total grows with time); the policy trusts avg10
            // only while the total still grows.
            meminfo: info, pressure: Pressure(some: PressureLine(avg10: stall),
                                              full: PressureLine(avg10: stall * 0.7, avg60: 0, avg300: 0,
                                                                 totalMicroseconds: stall > 0 ? UInt64(time * 420_000) : 0)),
            vmstat: { var v = Vmstat(); v.oomKill = kernelOomKills; return v }(), swaps: [], swappiness: swappiness,
            installed: InstalledMemory(bytes: installed, source: .memoryBlocks))
        let samples = services.map { service in
            var stat = CgroupMemoryStat()
            stat.inactiveFile = service.inactiveFile
            var events = CgroupMemoryEvents()
            events.oomKill = service.oomKills
            return ServiceSample(unit: service.unit, cgroupPath: "system.slice/\(service.unit)",
                                 current: service.current(at: time) + service.inactiveFile,
                                 swapCurrent: 0, stat: stat, pressure: nil, events: events,
                                 startedAt: service.reportedStart)
        }
        return Observation(time: time, wallClockMs: 1_800_000_000_000 + Int64(time * 1000), system: system,
                           services: samples)
    }
}

extension SimulatedVM.Service {
    func current(at time: Double) -> UInt64 {
        let function = restarts > 0 ? (afterRestart ?? workingSet) : workingSet
        return function(time - startedAt)
    }

    mutating func restart(at time: Double) {
        startedAt = time
        reportedStart = time
        restarts += 1
    }
}

/// What happened when, as the tests assert it.
struct TimelineRun {
    var actions: [(time: Double, action: SupervisorAction)] = []
    var availableAtAction: [String: UInt64] = [:]
    var minimumAvailable = UInt64.max
    var supervisor: Supervisor

    var restarts: [(time: Double, unit: String)] {
        actions.compactMap { if case .restartUnit(let unit) = $0.action { (time: $0.time, unit: unit) } else { nil } }
    }

    var limits: [(time: Double, unit: String, purpose: RuntimeLimitPurpose, max: UInt64?)] {
        actions.compactMap {
            if case .setUnitLimits(let unit, let purpose, _, let max, _, _) = $0.action {
                (time: $0.time, unit: unit, purpose: purpose, max: max)
            } else { nil }
        }
    }

    var kills: [String] {
        actions.compactMap { if case .killUnit(let unit) = $0.action { unit } else { nil } }
    }

    var swappinessChanges: [(time: Double, value: Int)] {
        actions.compactMap { if case .setSwappiness(let value) = $0.action { (time: $0.time, value: value) } else { nil } }
    }

    /// The last written version of each incident, in creation order.
    var incidents: [Incident] {
        var order: [String] = []
        var latest: [String: Incident] = [:]
        for (_, action) in actions {
            if case .writeIncident(let incident) = action {
                if latest[incident.id] == nil { order.append(incident.id) }
                latest[incident.id] = incident
            }
        }
        return order.compactMap { latest[$0] }
    }

    var journaled: [Incident] {
        actions.compactMap { if case .journalIncident(let incident) = $0.action { incident } else { nil } }
    }

    var logs: [String] {
        actions.compactMap { if case .log(_, let text) = $0.action { text } else { nil } }
    }
}

/// Drives a supervisor over a simulated VM for `duration` seconds.
func runTimeline(_ vm: SimulatedVM, settings: SupervisorSettings = SupervisorSettings(), duration: Double,
                 restartTakes: Double = 0.5, hangs: Bool = false, jobResultLost: Bool = false,
                 events: [(time: Double, change: (inout SimulatedVM) -> Void)] = []) -> TimelineRun {
    var vm = vm
    var run = TimelineRun(supervisor: Supervisor(settings: settings, budget: .platformDefault))
    var time = 0.0
    var tick = settings.tickSeconds
    var pendingJob: (unit: String, at: Double)?
    var pendingEvents = events.sorted { $0.time < $1.time }
    while time <= duration {
        while let first = pendingEvents.first, first.time <= time {
            first.change(&vm)
            pendingEvents.removeFirst()
        }
        if let job = pendingJob, time >= job.at {
            pendingJob = nil
            if let index = vm.services.firstIndex(where: { $0.unit == job.unit }) { vm.services[index].restart(at: time) }
            for action in jobResultLost ? [] : run.supervisor.jobFinished(unit: job.unit, result: .done, time: time,
                                                     wallClockMs: 1_800_000_000_000 + Int64(time * 1000)) {
                run.actions.append((time, action))
            }
        }
        for index in vm.services.indices {
            if let max = vm.services[index].memoryMax, vm.services[index].current(at: time) > max {
                vm.services[index].oomKills += 1
                vm.services[index].restart(at: time)
            }
        }
        run.minimumAvailable = min(run.minimumAvailable, vm.available(at: time))
        for action in run.supervisor.observe(vm.observation(at: time)) {
            run.actions.append((time, action))
            switch action {
            case .setTick(let seconds): tick = seconds
            case .setSwappiness(let value): vm.swappiness = value
            case .restartUnit(let unit):
                run.availableAtAction[unit] = vm.available(at: time)
                if !hangs { pendingJob = (unit, time + restartTakes) }
            case .setUnitLimits(let unit, let purpose, _, let max, _, _):
                if let index = vm.services.firstIndex(where: { $0.unit == unit }), purpose == .contain {
                    vm.services[index].memoryMax = max
                }
                for reply in run.supervisor.unitLimitsApplied(unit: unit, purpose: purpose, result: .done, time: time,
                                                              wallClockMs: 1_800_000_000_000 + Int64(time * 1000)) {
                    run.actions.append((time, reply))
                }
            case .killUnit(let unit):
                if let index = vm.services.firstIndex(where: { $0.unit == unit }) { vm.services[index].restart(at: time) }
                pendingJob = (unit, time + 0.1)
            default: break
            }
        }
        time += tick
    }
    return run
}

/// Working set functions.
enum Growth {
    static func leak(from start: UInt64, perSecond rate: UInt64) -> (Double) -> UInt64 {
        { t in start + UInt64(max(0, t) * Double(rate)) }
    }

    static func steady(_ bytes: UInt64) -> (Double) -> UInt64 { { _ in bytes } }

    /// `bytes` extra between `from` and `from + lasting` seconds after start.
    static func spike(base: UInt64, extra: UInt64, from: Double, lasting: Double) -> (Double) -> UInt64 {
        { t in t >= from && t < from + lasting ? base + extra : base }
    }
}
