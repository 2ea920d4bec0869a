@testable import HeadroomCore

/// A scripted VM for the policy timelines: units whose memory follows functions of their own
/// age, RAM that overflows to swap, and the ladder's actions carried out the way the kernel and
/// systemd would (a throttle caps a unit's RAM and lets the rest go to its swap at swap speed,
/// a containment OOM-kills and restarts the unit inside its limit, a restart resets its age).
struct PolicyRig {
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30
    /// What swap takes per second; faster overflow stalls the VM.
    static let swapRate = Double(32 << 20)

    struct Unit {
        var name: String
        var slice = "system.slice"
        /// Working set (shmem included) at an age in seconds.
        var size: (Double) -> UInt64
        /// After a restart; nil = the same function (the leak regrows).
        var afterRestart: ((Double) -> UInt64)? = nil
        var shmem: (Double) -> UInt64 = { _ in 0 }
        /// What its processes have mapped (`VmData`) at an age; nil: not read (the shell reads
        /// it only for young units that grow under pressure).
        var mapped: ((Double) -> UInt64)? = nil
        var startedAt = -86_400.0
        var memoryHigh: UInt64? = nil
        var memoryMax: UInt64? = nil
        var total: UInt64 = 0
        /// What it held at the previous step: the shell reads the reservation only after growth.
        var previousTotal: UInt64 = 0
        var ram: UInt64 = 0
        var restarts = 0
        var cgroupOoms = 0
        /// After a cgroup OOM and systemd's restart: the start the daemon still knows (it sees the
        /// new cgroup only at a later listing), for this many more steps.
        var staleStart: (value: Double, steps: Int)? = nil

        init(_ name: String, slice: String = "system.slice", startedAt: Double = -86_400,
             size: @escaping (Double) -> UInt64) {
            self.name = name
            self.slice = slice
            self.startedAt = startedAt
            self.size = size
        }
    }

    struct Event: Equatable {
        var time: Double
        var decision: PolicyEngine.Decision
    }

    /// What decides: the policy alone, or the supervisor composing it (its actions are read
    /// back as the policy's decisions, and the results fed back as the daemon would).
    enum Driver: String, Sendable { case engine, supervisor }

    var memTotal: UInt64
    var baseUsed: UInt64
    var swapTotal: UInt64
    var units: [Unit]
    private var ownEngine: PolicyEngine
    var supervisor: Supervisor?
    /// Every action the supervisor issued, with its time (supervisor driver only).
    var supervisorActions: [(time: Double, action: SupervisorAction)] = []
    var engine: PolicyEngine {
        get { supervisor?.policy ?? ownEngine }
        set { if supervisor != nil { supervisor?.policy = newValue } else { ownEngine = newValue } }
    }
    var events: [Event] = []
    var overflow: UInt64 = 0
    var stallTicks = 0
    /// PSI full total: grows while the rig stalls.
    var stallMicroseconds: UInt64 = 0
    var ranOut = false
    /// Kernel OOM kills outside the units (in /proc/vmstat only).
    var otherKills = 0
    var minimumAvailable = UInt64.max
    var pendingRestarts: [(unit: String, at: Double)] = []

    init(installed: UInt64, baseUsed: UInt64, swap: UInt64, units: [Unit], settings: PolicySettings = PolicySettings(),
         driver: Driver = .engine) {
        memTotal = installed - 150 * Self.mib
        self.baseUsed = baseUsed
        swapTotal = swap
        self.units = units
        var supervisorSettings = SupervisorSettings()
        supervisorSettings.policy = settings
        let protected = supervisorSettings
        ownEngine = PolicyEngine(settings: settings, budget: .platformDefault, cooldownSeconds: 15,
                                 isProtected: { protected.isProtected($0) })
        if driver == .supervisor { supervisor = Supervisor(settings: supervisorSettings, budget: .platformDefault) }
    }

    mutating func run(from start: Double = 0, until end: Double, step: Double = 0.5) {
        var time = start
        while time <= end {
            tick(time, step)
            time += step
        }
    }

    mutating func tick(_ time: Double, _ step: Double) {
        if supervisor != nil { return superviseTick(time, step) }
        for unit in finishRestarts(at: time) { engine.restartFinished(unit: unit) }
        let (system, samples) = simulate(time, step)
        let starts = Dictionary(uniqueKeysWithValues: units.map { ($0.name, $0.startedAt) })
        for decision in engine.observe(time: time, system: system, services: samples, startedAt: { starts[$0] }) {
            events.append(Event(time: time, decision: decision))
            apply(decision, at: time)
        }
    }

    /// Restarts whose job ends by `time` are carried out. - Returns: their units.
    mutating func finishRestarts(at time: Double) -> [String] {
        var done: [String] = []
        for (index, pending) in pendingRestarts.enumerated().reversed() where time >= pending.at {
            restart(pending.unit, at: time)
            done.append(pending.unit)
            pendingRestarts.remove(at: index)
        }
        return done
    }

    /// The VM one step on: what the kernel files would say at `time`.
    mutating func simulate(_ time: Double, _ step: Double) -> (SystemSample, [ServiceSample]) {
        for index in units.indices { advance(&units[index], time, step) }
        // A throttled unit's excess goes to swap while there is some; past that the kernel lets it
        // exceed memory.high (it is not a hard limit) and it takes RAM.
        var swapLeft = swapTotal
        for index in units.indices {
            let excess = units[index].total - units[index].ram
            if excess > swapLeft { units[index].ram += excess - swapLeft }
            swapLeft -= min(excess, swapLeft)
        }
        let throttledSwap = swapTotal - swapLeft
        let ram = baseUsed + units.reduce(0) { $0 + $1.ram }
        let floor = 64 * Self.mib
        let newOverflow = ram > memTotal - floor ? ram - (memTotal - floor) : 0
        let stalledNow = Double(newOverflow) - Double(overflow) > Self.swapRate * step
        overflow = newOverflow
        var swapUsed = overflow + throttledSwap
        let outNow = swapUsed >= swapTotal && newOverflow > 0
        if outNow { ranOut = true; swapUsed = swapTotal }
        let stalled = stalledNow || outNow
        if stalled {
            stallTicks += 1
            stallMicroseconds += UInt64(step * 400_000)
        }
        var info = Meminfo()
        info.memTotal = memTotal
        info.memAvailable = ram < memTotal - floor ? memTotal - ram : floor
        minimumAvailable = min(minimumAvailable, info.memAvailable)
        info.swapTotal = swapTotal
        info.swapFree = swapTotal - swapUsed
        let full = stalled ? 40.0 : 0
        let system = SystemSample(meminfo: info, pressure: Pressure(some: PressureLine(avg10: full),
                                                                    full: PressureLine(avg10: full, avg60: 0, avg300: 0,
                                                                                       totalMicroseconds: stallMicroseconds)),
                                  vmstat: { var v = Vmstat(); v.oomKill = UInt64(otherKills + units.reduce(0) { $0 + $1.cgroupOoms }); return v }(),
                                  swaps: [], swappiness: 1,
                                  installed: InstalledMemory(bytes: memTotal + 150 * Self.mib, source: .memoryBlocks))
        let samples = units.map { unit in
            var stat = CgroupMemoryStat()
            let shmem = min(unit.shmem(time - unit.startedAt), unit.ram)
            stat.shmem = shmem
            stat.anon = unit.ram - shmem
            // Every cgroup OOM here is followed by systemd's restart in the same step, which
            // removes the cgroup and creates it again: its memory.events starts at 0, as in the
            // guest, where the kill is seen only in /proc/vmstat and, steps later (`staleStart`), the new start.
            let events = CgroupMemoryEvents()
            return ServiceSample(unit: unit.name, cgroupPath: "\(unit.slice)/\(unit.name)", current: unit.ram,
                                 swapCurrent: unit.total - unit.ram, stat: stat, pressure: nil,
                                 events: events, startedAt: unit.staleStart?.value ?? unit.startedAt,
                                 reservation: unit.mapped.flatMap { mapped in
                                     // As the shell: only on a step it grew by 1 MiB or more.
                                     guard unit.total >= unit.previousTotal + Self.mib else { return nil }
                                     let data = mapped(time - unit.startedAt)
                                     return AddressReservation(dataBytes: data, untouchedBytes: data.over(unit.total))
                                 })
        }
        for index in units.indices { units[index].previousTotal = units[index].total }
        for index in units.indices {
            guard let stale = units[index].staleStart else { continue }
            units[index].staleStart = stale.steps > 1 ? (stale.value, stale.steps - 1) : nil
        }
        return (system, samples)
    }

    private func advance(_ unit: inout Unit, _ time: Double, _ step: Double) {
        let age = time - unit.startedAt
        var target = (unit.restarts > 0 ? unit.afterRestart ?? unit.size : unit.size)(age)
        if let limit = unit.memoryMax, target > limit {
            // The kernel's cgroup OOM inside its limit; systemd's Restart= starts it again.
            unit.cgroupOoms += 1
            unit.restarts += 1
            unit.staleStart = (unit.startedAt, 3)
            unit.startedAt = time
            target = (unit.afterRestart ?? unit.size)(0)
        }
        if let high = unit.memoryHigh, target > high {
            unit.total = min(target, max(high, unit.total + UInt64(Self.swapRate * step)))
            unit.ram = high
        } else {
            unit.total = target
            unit.ram = target
        }
    }

    private mutating func restart(_ name: String, at time: Double) {
        guard let index = units.firstIndex(where: { $0.name == name }) else { return }
        units[index].restarts += 1
        units[index].startedAt = time
        units[index].memoryHigh = nil
        advance(&units[index], time, 0)
    }

    private mutating func apply(_ decision: PolicyEngine.Decision, at time: Double) {
        guard case .act(let action, _, _) = decision else { return }
        apply(action, at: time)
    }

    /// What systemd and the kernel do with a ladder action.
    mutating func apply(_ action: UnitLadder.Action, at time: Double) {
        switch action {
        case .throttle(let unit, let high): update(unit) { $0.memoryHigh = high }
        case .liftThrottle(let unit): update(unit) { $0.memoryHigh = nil }
        case .restart(let unit, _):
            // The shell lifts a throttle together with the restart; the rig does both at once.
            pendingRestarts.append((unit, time + 1))
        case .kill(let unit): pendingRestarts.append((unit, time))
        case .contain(let unit, let max, let high, _): update(unit) { $0.memoryMax = max; $0.memoryHigh = high }
        case .release(let unit): update(unit) { $0.memoryMax = nil; $0.memoryHigh = nil }
        }
    }

    mutating func update(_ name: String, _ change: (inout Unit) -> Void) {
        if let index = units.firstIndex(where: { $0.name == name }) { change(&units[index]) }
    }

    // MARK: What happened

    func actions(on unit: String) -> [UnitLadder.Action] {
        events.compactMap { event in
            guard case .act(let action, _, _) = event.decision, action.unit == unit else { return nil }
            return action
        }
    }

    func restarts(of unit: String) -> Int { actions(on: unit).filter(\.isRestart).count }
    func touched(_ unit: String) -> Bool { !actions(on: unit).filter { !$0.isLift }.isEmpty }
    var filed: [CulpritChooser.NoActionReason] {
        events.compactMap { if case .fileInstead(let reason, _, _) = $0.decision { reason } else { nil } }
    }
    func unit(_ name: String) -> Unit { units.first { $0.name == name }! }
}

extension UnitLadder.Action {
    var unit: String {
        switch self {
        case .throttle(let unit, _), .liftThrottle(let unit), .restart(let unit, _), .kill(let unit),
             .contain(let unit, _, _, _), .release(let unit): unit
        }
    }
    var isRestart: Bool { if case .restart = self { true } else { false } }
    var isLift: Bool { if case .liftThrottle = self { true } else if case .release = self { true } else { false } }
    var isContain: Bool { if case .contain = self { true } else { false } }
    var isThrottle: Bool { if case .throttle = self { true } else { false } }
}

/// Working-set shapes, by age in seconds.
enum Shape {
    static let mib = PolicyRig.mib
    static func steady(_ bytes: UInt64) -> (Double) -> UInt64 { { _ in bytes } }
    static func leak(from base: UInt64, perSecond rate: UInt64, after delay: Double = 0) -> (Double) -> UInt64 {
        { age in base + UInt64(max(0, age - delay) * Double(rate)) }
    }
    /// Ramps to `plateau` at `rate`, then flat (a warm-up, a build's ramp).
    static func ramp(from base: UInt64, to plateau: UInt64, perSecond rate: UInt64) -> (Double) -> UInt64 {
        { age in min(plateau, base + UInt64(max(0, age) * Double(rate))) }
    }
    /// Ramps to `plateau`, then creeps at `perMinute`.
    static func creep(to plateau: UInt64, perSecond rate: UInt64, perMinute creep: UInt64) -> (Double) -> UInt64 {
        let rampEnd = Double(plateau) / Double(rate)
        return { age in age < rampEnd ? UInt64(age * Double(rate)) + 0
            : plateau + UInt64((age - rampEnd) / 60 * Double(creep)) }
    }
}

extension PolicyRig {
    /// The events as lines, for a failing expectation's comment.
    var story: String {
        events.map { event in
            switch event.decision {
            case .act(let action, _, let horizon):
                "\(event.time) s: \(action) (horizon \(horizon.seconds.map { String(Int($0)) } ?? "-") s, "
                    + "room \(ByteSize.format(horizon.roomBytes)))"
            case .fileInstead(let reason, let candidates, let horizon):
                "\(event.time) s: file \(reason) (horizon \(horizon.seconds.map { String(Int($0)) } ?? "-") s) "
                    + candidates.map { "\($0.unit) \(String(describing: $0.harmClass)) \(String(describing: $0.exclusion)) "
                        + "\(String(describing: $0.restartBlocker)) \($0.warmUp)" }.joined(separator: "; ")
            case .terminateRunawayIn(let unit, _, _): "\(event.time) s: terminate runaway in \(unit)"
            }
        }.joined(separator: "\n")
    }
}
