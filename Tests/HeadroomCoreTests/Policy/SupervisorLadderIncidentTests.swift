@testable import HeadroomCore
import Testing

/// What the supervisor records for the ladder's steps: one incident per episode, what was set
/// and how to lift it, the typed reason when it cannot act, a terminated runaway, the lift and
/// `headroom release` (issue 12, through the `Supervisor`).
@Suite("Supervisor ladder incidents")
struct SupervisorLadderIncidentTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib
    typealias Size = PolicyTimelineTests.Size

    @Test("regrowing leak: restart then contain in one incident, saying what was set and the release command",
          arguments: [(2 * gib, 96 * mib), (4 * gib, 12 * mib)] as [(UInt64, UInt64)])
    func containIncident(installed: UInt64, rate: UInt64) throws {
        var leak = PolicyRig.Unit("leaky-worker.service", size: Shape.leak(from: 80 * Self.mib, perSecond: rate,
                                                                            after: 86_400))
        leak.afterRestart = Shape.leak(from: 80 * Self.mib, perSecond: rate)
        var rig = PolicyRig(installed: installed, baseUsed: installed / 5, swap: Self.gib,
                            units: [leak, PolicyTimelineTests.bystander()], driver: .supervisor)
        rig.run(until: 900)
        let incident = try #require(rig.incidents.first { $0.kind == .contain }, "\(rig.story)")
        #expect(incident.culprit == "leaky-worker.service")
        #expect(incident.actions.last?.kind == .contain)
        let steps = rig.incidents.flatMap(\.actions).filter { $0.unit == "leaky-worker.service" }.map(\.kind)
        #expect(steps.firstIndex(of: .restart)! < steps.firstIndex(of: .contain)!, "\(steps)")
        #expect(incident.actions.last?.result == "done")
        let detail = try #require(incident.actions.last?.detail)
        #expect(detail.contains("MemoryMax=") && detail.contains("MemorySwapMax=0 B"))
        #expect(detail.contains("lift with: headroom release leaky-worker.service"))
        #expect(incident.narrative.contains("headroom release leaky-worker.service"))
        // Its OOM kills at its own limit are containment working, not an incident each.
        #expect(rig.unit("leaky-worker.service").cgroupOoms >= 1, "\(rig.story)")
        #expect(!rig.incidents.contains { $0.kind == .kernelOomKill }, "\(rig.incidents.map(\.kind))")
        // A kill that no contained unit's new start explains is filed once the wait is over
        // (here the leak has stopped, so the contained unit is not killed and restarted meanwhile).
        rig.update("leaky-worker.service") { $0.afterRestart = Shape.steady(80 * Self.mib) }
        rig.run(from: 900.5, until: 920)
        rig.otherKills += 1
        rig.run(from: 920.5, until: 930)
        let unplaced = rig.incidents.filter { $0.kind == .kernelOomKill }
        #expect(unplaced.count == 1, "\(rig.story)")
        #expect(unplaced.first?.kernelOomKilledUnits == [])
        #expect(unplaced.first.map { $0.startedAtMs - PolicyRig.wallClockBase >= 925_000 } == true)
        #expect(incident.trigger.signal == .horizon || incident.trigger.signal == .psiFull
                    || incident.trigger.signal == .available)
        // Steps of one episode are actions of one incident, not new files: a new incident only
        // after the level stayed calm for the episode's quiet time (the slow leak regrows slowly).
        let opened = rig.incidents.filter { $0.culprit == "leaky-worker.service" }
        #expect(opened.count <= 2, "\(rig.story)")
        if opened.count == 2 {
            let gap = Double(opened[1].startedAtMs - opened[0].updatedAtMs) / 1000
            #expect(gap >= PolicySettings().episodeQuietSeconds - 20, "\(gap) s")
        }
        // Across a daemon restart: the containment and the unit's history come back.
        var supervisor = try #require(rig.supervisor)
        let kept = supervisor.remembered
        var restarted = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        restarted.restore(histories: kept.histories, ladders: kept.ladders)
        #expect(restarted.policy.ladders["leaky-worker.service"]?.step.isContained == true)
        #expect(restarted.policy.histories["leaky-worker.service"]?.restarts
            == supervisor.policy.histories["leaky-worker.service"]?.restarts)
        // `headroom release` noticed: the ladder goes back to the bottom.
        let released = supervisor.released(unit: "leaky-worker.service", wallClockMs: 1)
        #expect(released.contains(.log(.notice, "leaky-worker.service: its runtime limits were lifted (headroom release)")))
        #expect(supervisor.policy.ladders["leaky-worker.service"]?.step == .idle)
        #expect(supervisor.released(unit: "leaky-worker.service").count == 1)
    }

    @Test("the incident lists the candidates as the policy weighed them: the culprit first, a warm-up with its reason")
    func candidatesFromPolicy() throws {
        var leak = PolicyRig.Unit("leaky-worker.service", size: Shape.leak(from: 80 * Self.mib, perSecond: 96 * Self.mib,
                                                                            after: 86_400))
        leak.afterRestart = Shape.steady(80 * Self.mib)
        let warmUp = PolicyRig.Unit("postgresql.service", startedAt: 0,
                                    size: Shape.ramp(from: 50 * Self.mib, to: 300 * Self.mib, perSecond: 20 * Self.mib))
        var rig = PolicyRig(installed: 3 * Self.gib, baseUsed: 600 * Self.mib, swap: Self.gib,
                            units: [leak, warmUp, PolicyTimelineTests.bystander()], driver: .supervisor)
        rig.run(until: 60, step: 0.25)
        let incident = try #require(rig.incidents.first { $0.kind == .restart }, "\(rig.story)")
        #expect(incident.candidates.first?.unit == "leaky-worker.service")
        #expect(incident.candidates.first?.exclusion == nil)
        let db = try #require(incident.candidates.first { $0.unit == "postgresql.service" })
        #expect(db.exclusion == .warmingUp, "\(incident.candidates)")
        let shop = try #require(incident.candidates.first { $0.unit == "shop.service" })
        #expect(shop.exclusion == .steadyWithinBudget)
    }

    @Test("tmpfs: one no_actionable_culprit incident naming where the memory is, not one per tick",
          arguments: [(2 * gib, 24 * mib), (6 * gib, 96 * mib)] as [(UInt64, UInt64)])
    func tmpfsIncident(installed: UInt64, rate: UInt64) throws {
        let growth = Shape.leak(from: 60 * Self.mib, perSecond: rate, after: 86_400)
        var writer = PolicyRig.Unit("report-cache.service", size: growth)
        writer.shmem = { age in growth(age) - 50 * Self.mib }
        var rig = PolicyRig(installed: installed, baseUsed: installed / 5, swap: Self.gib,
                            units: [writer, PolicyTimelineTests.bystander(500 * Self.mib)], driver: .supervisor)
        rig.run(until: 590)
        let filed = rig.incidents.filter { $0.kind == .noActionableCulprit }
        #expect(filed.count == 1, "\(rig.story)")
        let incident = try #require(filed.first)
        guard case .memoryInSharedMemory(let unit, _) = try #require(incident.noActionReason) else {
            Issue.record("reason \(String(describing: incident.noActionReason))")
            return
        }
        #expect(unit == "report-cache.service")
        #expect(incident.narrative.contains("(memory_in_shared_memory)"))
        #expect(incident.narrative.contains("/dev/shm"))
        #expect(!rig.supervisorActions.contains { $0.action == .restartUnit("report-cache.service") })
    }

    @Test("runaway in an SSH session: a runaway_process incident with the terminated process",
          arguments: [(2 * gib, 100 * mib), (8 * gib, 20 * mib)] as [(UInt64, UInt64)])
    func runawayIncident(installed: UInt64, rate: UInt64) throws {
        let session = PolicyRig.Unit("session-7.scope", slice: "user.slice/user-1000.slice", startedAt: -600,
                                     size: Shape.leak(from: 20 * Self.mib, perSecond: rate, after: 600))
        var rig = PolicyRig(installed: installed, baseUsed: installed / 6, swap: Self.gib,
                            units: [session, PolicyTimelineTests.bystander(500 * Self.mib)], driver: .supervisor)
        rig.run(until: 60 + Double(installed) / Double(rate))
        let incident = try #require(rig.incidents.first { $0.kind == .runawayProcess }, "\(rig.story)")
        #expect(incident.culprit == "session-7.scope")
        let record = try #require(incident.actions.first)
        #expect(record.kind == .terminateProcess)
        #expect(record.result == "terminated")
        #expect(record.detail == "pid 4242 (python3)")
        #expect(!rig.supervisorActions.contains { $0.action == .restartUnit("shop.service") })
        #expect(rig.stallTicks == 0)
    }

    @Test("a throttle that was enough is lifted once the pressure passes; the incident is a throttle")
    func throttleLifted() throws {
        // A creep that stops: throttled while the horizon is short, lifted after it stayed ample.
        let creeper = PolicyRig.Unit("indexer.service", size: { age in
            let t = age - 86_400
            return 200 * Self.mib + UInt64(min(max(0, t), 60) * Double(12 * Self.mib))
        })
        var rig = PolicyRig(installed: 2 * Self.gib, baseUsed: 400 * Self.mib, swap: Self.gib,
                            units: [creeper, PolicyTimelineTests.bystander()], driver: .supervisor)
        rig.run(until: 900)
        let limits = rig.supervisorActions.filter {
            if case .setUnitLimits(unit: "indexer.service", purpose: .throttle, _, _, _, _) = $0.action { true } else { false }
        }
        let lift = rig.supervisorActions.first { $0.action == .liftUnitLimits(unit: "indexer.service", purpose: .throttle) }
        #expect(limits.count == 1, "\(rig.story)")
        #expect(lift != nil, "\(rig.story)")
        #expect(!rig.supervisorActions.contains { $0.action == .restartUnit("indexer.service") })
        let incident = try #require(rig.incidents.first)
        #expect(incident.kind == .throttle)
        #expect(incident.actions.first?.detail?.hasPrefix("MemoryHigh=") == true)
    }
}
