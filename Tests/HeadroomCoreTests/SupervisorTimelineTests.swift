@testable import HeadroomCore
import Testing

/// The decision core driven through scripted timelines (DESIGN §10): each asserts which
/// actions came out and when.
@Suite("Supervisor timelines")
struct SupervisorTimelineTests {
    static let mib = SimulatedVM.mib
    static let gib = SimulatedVM.gib

    /// A leak that starts over after a restart, as most leaks do only after hours.
    static func healingLeak(_ unit: String, perSecond rate: UInt64) -> SimulatedVM.Service {
        SimulatedVM.Service(unit: unit, workingSet: Growth.leak(from: 50 * mib, perSecond: rate),
                            afterRestart: Growth.steady(50 * mib))
    }

    static func vm(_ services: [SimulatedVM.Service]) -> SimulatedVM {
        SimulatedVM(services: [SimulatedVM.Service(unit: "bystander.service", workingSet: Growth.steady(200 * mib))]
            + services)
    }

    @Test("fast leak (128 MiB/s, 2 GiB VM): restarted before MemAvailable reaches zero, bystander untouched")
    func fastLeak() throws {
        let run = runTimeline(Self.vm([Self.healingLeak("leak.service", perSecond: 128 * Self.mib)]),
                              duration: 30)
        let first = try #require(run.restarts.first)
        #expect(first.unit == "leak.service")
        // Memory would be gone at (2 GiB - 150 - 350 - 200 - 50 MiB) / 128 MiB/s ≈ 10.3 s.
        #expect(first.time < 10)
        #expect(try #require(run.availableAtAction["leak.service"]) > 128 * Self.mib)
        #expect(run.minimumAvailable > 0)
        #expect(!run.restarts.contains { $0.unit == "bystander.service" })
        let incident = try #require(run.incidents.first)
        #expect(incident.kind == .restart)
        #expect(incident.culprit == "leak.service")
        #expect(incident.trigger.signal == .horizon)
        #expect(incident.actions.first?.result == "done")
        #expect(incident.outcome == .recovered)
        // Acted on at 3.5 s (the leak held ~500 MiB), not at ~6 s as before the policy.
        #expect(try #require(incident.memoryReleasedBytes) > 400 * Int64(Self.mib))
        #expect(incident.narrative.hasPrefix("leak.service was restarted: it grew "))
        #expect(incident.narrative.contains("memory plus usable swap would have run out in ~"))
        #expect(run.journaled.count == 1)
        // The journal entry is written once the cool-down shows what came back.
        #expect(run.journaled.first?.outcome == .recovered)
        #expect(run.journaled.first?.narrative.contains("more was available (memory recovered)") == true)
        #expect(incident.candidates.contains { $0.unit == "bystander.service" })
        #expect(incident.budget != nil)
    }

    @Test("swappiness: pressure value while elevated, calm value 10 s after pressure ends")
    func swappinessFollowsLevel() throws {
        let run = runTimeline(Self.vm([Self.healingLeak("leak.service", perSecond: 128 * Self.mib)]),
                              duration: 60)
        let changes = run.swappinessChanges
        #expect(changes.map(\.value) == [60, 1])
        let restart = try #require(run.restarts.first)
        let raised = try #require(changes.first)
        let lowered = try #require(changes.last)
        #expect(raised.time < restart.time)
        #expect(lowered.time >= restart.time + 10)
    }

    @Test("slow leak (8 MiB/s): restarted before memory runs out")
    func slowLeak() throws {
        let run = runTimeline(Self.vm([Self.healingLeak("slow.service", perSecond: 8 * Self.mib)]),
                              duration: 200)
        let first = try #require(run.restarts.first)
        #expect(first.unit == "slow.service")
        // Exhaustion would come at ≈ 1248 MiB / 8 MiB/s = 156 s.
        #expect(first.time < 156)
        #expect(first.time > 100)
        #expect(run.minimumAvailable > 0)
    }

    @Test("a young leak held as a possible warm-up says so at debug level, with its figures, not once per tick")
    func holdTraced() throws {
        var leak = Self.healingLeak("young.service", perSecond: 128 * Self.mib)
        leak.reportedStart = 0
        let run = runTimeline(Self.vm([leak]), duration: 30)
        let restart = try #require(run.restarts.first { $0.unit == "young.service" })
        let held = run.actions.filter { if case .log(.debug, let text) = $0.action { text.hasPrefix("held:") } else { false } }
        let before = held.filter { $0.time < restart.time }
        let warming = try #require(before.last.flatMap { if case .log(_, let text) = $0.action { text } else { nil } })
        #expect(warming.contains("young.service: may be warming up"))
        #expect(warming.contains("2 s rate 128 MiB/s"))
        #expect(warming.contains("limit "))
        // The policy weighed the units on most 250 ms ticks before the restart; a line per
        // change of limit, unit or reason, or per 5 s.
        #expect(before.count <= 4, "\(before.count) held lines")
    }

    @Test("page-cache-heavy reader: its cache is available memory; never restarted")
    func pageCacheReader() {
        var reader = SimulatedVM.Service(unit: "reader.service", workingSet: Growth.steady(30 * Self.mib))
        reader.inactiveFile = 1200 * Self.mib
        let run = runTimeline(Self.vm([reader]), duration: 120)
        #expect(run.restarts.isEmpty)
        #expect(run.incidents.isEmpty)
        #expect(run.supervisor.level == .calm)
    }

    @Test("a spike that frees itself within seconds while memory stays available: no restart")
    func spike() {
        let run = runTimeline(Self.vm([.init(unit: "spiky.service",
                                             workingSet: Growth.spike(base: 50 * Self.mib, extra: 600 * Self.mib, from: 10, lasting: 3))]),
                              duration: 60)
        #expect(run.restarts.isEmpty)
        #expect(run.incidents.isEmpty)
    }

    @Test("a protected unit that grows is never restarted; the incident says why")
    func protectedUnit() throws {
        let run = runTimeline(Self.vm([.init(unit: "systemd-journald.service",
                                             workingSet: Growth.leak(from: 50 * Self.mib, perSecond: 64 * Self.mib))]),
                              duration: 30)
        #expect(run.restarts.isEmpty)
        let incident = try #require(run.incidents.first)
        #expect(incident.kind == .noActionableCulprit)
        #expect(incident.outcome == .noAction)
        #expect(incident.candidates.first?.unit == "systemd-journald.service")
        #expect(incident.candidates.first?.excludedReason == "protected")
        #expect(incident.narrative.contains("systemd-journald.service (protected)"))
        #expect(run.incidents.count == 1, "one incident per critical episode, not one per tick")
    }

    @Test("two leakers: the faster is restarted first, the slower next; both are steps of the episode's one incident")
    func twoLeakers() throws {
        let run = runTimeline(Self.vm([
            Self.healingLeak("fast.service", perSecond: 96 * Self.mib),
            Self.healingLeak("slow.service", perSecond: 24 * Self.mib),
        ]), duration: 90)
        #expect(run.restarts.map(\.unit) == ["fast.service", "slow.service"])
        #expect(run.minimumAvailable > 0)
        // One incident per episode (issue 12): the slower one's restart is an action of the same incident.
        #expect(run.incidents.count == 1)
        let incident = try #require(run.incidents.first)
        #expect(incident.culprit == "fast.service")
        #expect(incident.actions.filter { $0.kind == .restart }.map(\.unit) == ["fast.service", "slow.service"])
        #expect(incident.outcome == .recovered)
        #expect(incident.candidates.first?.unit == "fast.service")
        #expect(incident.candidates.dropFirst().first?.unit == "slow.service")
    }

    @Test("a leak that regrows after its restart is contained (runtime MemoryMax), not restarted again nor left alone")
    func regrowingLeakIsContained() throws {
        for rate: UInt64 in [128, 24] {
            let run = runTimeline(Self.vm([.init(unit: "loop.service",
                                                 workingSet: Growth.leak(from: 50 * Self.mib, perSecond: rate * Self.mib))]),
                                  duration: 300)
            #expect(run.restarts.map(\.unit) == ["loop.service"], "rate \(rate) MiB/s")
            let contain = try #require(run.limits.first { $0.purpose == .contain })
            #expect(contain.unit == "loop.service")
            let restart = try #require(run.restarts.first)
            #expect(contain.time > restart.time)
            // This VM never swaps (a throttle does not move pages out here): PolicyRig's timelines
            // model that; here the point is the ladder through the supervisor.
            #expect(run.minimumAvailable > 0, "rate \(rate) MiB/s")
            let incident = try #require(run.incidents.first { $0.kind == .contain })
            #expect(incident.culprit == "loop.service")
            // A slower leak is throttled first (its horizon is long enough), then restarted, then contained.
            #expect(incident.actions.map(\.kind) == (rate >= 64 ? [.restart, .contain] : [.throttle, .restart, .contain]))
            #expect(incident.actions.last?.result == "done")
            #expect(incident.actions.last?.detail?.contains("lift with: headroom release loop.service") == true)
            #expect(incident.narrative.contains("headroom release loop.service"))
            #expect(!run.restarts.contains { $0.unit == "bystander.service" })
            #expect(!run.incidents.contains { $0.kind == .noActionableCulprit })
        }
    }

    @Test("no swap: decided from available memory and the forecast")
    func noSwap() throws {
        var vm = Self.vm([Self.healingLeak("leak.service", perSecond: 128 * Self.mib)])
        vm.swapTotal = 0
        let run = runTimeline(vm, duration: 20)
        #expect(run.restarts.first?.unit == "leak.service")
        #expect(run.minimumAvailable > 0)
    }

    @Test("swap hot-add is noticed")
    func swapHotAdd() {
        var vm = Self.vm([])
        vm.swapTotal = 0
        let run = runTimeline(vm, duration: 10, events: [(5, { $0.swapTotal = 512 << 20 })])
        #expect(run.logs.contains("swap changed from 0 B to 512 MiB"))
    }

    @Test("dry run: the incident is recorded, nothing on the system is changed")
    func dryRun() throws {
        var settings = SupervisorSettings()
        settings.dryRun = true
        let run = runTimeline(Self.vm([Self.healingLeak("leak.service", perSecond: 128 * Self.mib)]),
                              settings: settings, duration: 12)
        #expect(run.restarts.isEmpty)
        #expect(run.swappinessChanges.isEmpty)
        #expect(run.kills.isEmpty)
        let incident = try #require(run.incidents.first)
        #expect(incident.dryRun)
        #expect(incident.outcome == .dryRun)
        #expect(incident.culprit == "leak.service")
        #expect(incident.actions.first?.result == "dry_run")
        #expect(incident.narrative.hasPrefix("leak.service would have been restarted (dry run"))
        #expect(run.logs.contains("dry run: would set vm.swappiness to 60"))
    }

    @Test("a kernel OOM kill that happens anyway becomes its own incident naming the unit")
    func kernelOomKill() throws {
        let run = runTimeline(Self.vm([.init(unit: "victim.service", workingSet: Growth.steady(100 * Self.mib))]), duration: 5,
                              events: [(3, { vm in vm.kernelOomKills += 1; vm.services[1].oomKills += 1 })])
        let incident = try #require(run.incidents.first)
        #expect(incident.kind == .kernelOomKill)
        #expect(incident.kernelOomKilledUnits == ["victim.service"])
        #expect(incident.outcome == .kernelOomKill)
        #expect(run.journaled.first?.narrative == "The kernel OOM killer killed 1 process(es) in victim.service; Headroom did not prevent it.")
    }

    @Test("a restart that hangs past the deadline while critical is escalated to SIGKILL")
    func restartDeadline() throws {
        let run = runTimeline(Self.vm([Self.healingLeak("stuck.service", perSecond: 128 * Self.mib)]),
                              duration: 20, hangs: true)
        #expect(run.restarts.first?.unit == "stuck.service")
        #expect(run.kills == ["stuck.service"])
        let incident = try #require(run.incidents.first)
        #expect(incident.actions.map(\.kind) == [.restart, .kill])
        let restartTime = try #require(run.restarts.first?.time)
        let killTime = try #require(run.actions.first { if case .killUnit = $0.action { true } else { false } }?.time)
        #expect(killTime - restartTime >= 10)
        #expect(killTime - restartTime < 10.5)
    }

    @Test("a restart whose job result never arrives (D-Bus connection lost) is closed after 6 deadlines, not waited on forever")
    func lostJobResult() throws {
        let run = runTimeline(Self.vm([Self.healingLeak("leak.service", perSecond: 128 * Self.mib),
                                       SimulatedVM.Service(unit: "later.service",
                                                           workingSet: Growth.leak(from: 50 * Self.mib,
                                                                                   perSecond: 128 * Self.mib),
                                                           afterRestart: Growth.steady(50 * Self.mib))]),
                              duration: 200, jobResultLost: true)
        let first = try #require(run.restarts.first)
        let incident = try #require(run.incidents.first { $0.culprit == first.unit })
        let action = try #require(incident.actions.first)
        #expect(action.result == "unconfirmed: no job result from systemd within 60 s")
        #expect(incident.outcome == .failed)
        let closed = try #require(run.actions.first {
            if case .log(_, let message) = $0.action { message.hasPrefix("no result for the restart job") } else { false }
        })
        #expect(closed.time - first.time >= 60)
        #expect(closed.time - first.time < 61)
        // The supervisor acts again afterwards: the second leaker is restarted too.
        #expect(run.restarts.count >= 2)
    }
}


