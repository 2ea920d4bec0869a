@testable import HeadroomCore
import Testing

/// A daemon restart in the middle of a timeline: the supervisor's memory goes through the file's
/// text into a new supervisor, which must decide as the old one would have (issue 12, item 6).
@Suite("PolicyMemory across a daemon restart")
struct PolicyMemoryRestartTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib
    static let worker = "leaky-worker.service"

    /// A leak that regrows after every restart, beside a steady bystander, through the supervisor.
    static func regrowingLeakRig(installed: UInt64, rate: UInt64) -> PolicyRig {
        var leak = PolicyRig.Unit(worker, size: Shape.leak(from: 80 * mib, perSecond: rate, after: 86_400))
        leak.afterRestart = Shape.leak(from: 80 * mib, perSecond: rate)
        return PolicyRig(installed: installed, baseUsed: installed / 5, swap: gib,
                         units: [leak, PolicyTimelineTests.bystander()], driver: .supervisor)
    }

    /// Runs until the worker has been restarted and has run 1 s again (its regrowth not yet seen).
    static func runUntilRestarted(_ rig: inout PolicyRig) throws -> Double {
        var time = 0.0
        while rig.unit(worker).restarts == 0 || time < restartTime(rig) + 1 {
            rig.tick(time, 0.5)
            time += 0.5
            try #require(time < 900, "no restart\n\(rig.story)")
        }
        return time
    }

    static func restartTime(_ rig: PolicyRig) -> Double { rig.unit(worker).startedAt }

    /// The supervisor replaced by a new one; `restoring` through the file's text.
    static func restartDaemon(_ rig: inout PolicyRig, restoring: Bool) throws {
        let old = try #require(rig.supervisor)
        let text = PolicyMemory(bootID: "boot", supervisor: old).jsonValue.rendered()
        var fresh = Supervisor(settings: old.settings, budget: old.budget)
        if restoring { try PolicyMemory.parse(Array(text.utf8), path: "policy-state.json").restore(into: &fresh) }
        rig.supervisor = fresh
    }

    @Test("restored: the regrowing unit is contained, not restarted again; forgotten: it would be restarted again",
          arguments: [(2 * gib, 96 * mib), (4 * gib, 12 * mib)] as [(UInt64, UInt64)])
    func restartThenRegrow(installed: UInt64, rate: UInt64) throws {
        var outcomes: [Bool: [UnitLadder.Action]] = [:]
        for restoring in [true, false] {
            var rig = Self.regrowingLeakRig(installed: installed, rate: rate)
            var time = try Self.runUntilRestarted(&rig)
            #expect(rig.restarts(of: Self.worker) == 1, "\(rig.story)")
            try Self.restartDaemon(&rig, restoring: restoring)
            #expect(rig.engine.histories[Self.worker]?.restarts == (restoring ? 1 : nil))
            let before = rig.events.count
            while time <= 900 {
                rig.tick(time, 0.5)
                time += 0.5
            }
            let after = rig.events[before...].compactMap { event -> UnitLadder.Action? in
                guard case .act(let action, _, _) = event.decision, action.unit == Self.worker, !action.isLift else { return nil }
                return action
            }
            #expect(!rig.ranOut && rig.stallTicks == 0, "restoring \(restoring)\n\(rig.story)")
            #expect(!rig.touched("shop.service"))
            outcomes[restoring] = after
        }
        let restored = try #require(outcomes[true])
        #expect(restored.first?.isContain == true, "\(restored)")
        #expect(!restored.contains { $0.isRestart }, "\(restored)")
        // The control: without the file, the new daemon knows no restart and restarts the unit again
        // before containing it (so the expectations above can fail).
        let forgotten = try #require(outcomes[false])
        let restartAgain = try #require(forgotten.firstIndex { $0.isRestart }, "\(forgotten)")
        #expect(restartAgain < forgotten.firstIndex { $0.isContain } ?? .max, "\(forgotten)")
    }

    @Test("a containment restored stays in force: the unit is not contained again nor restarted")
    func containmentSurvives() throws {
        var rig = Self.regrowingLeakRig(installed: 2 * Self.gib, rate: 96 * Self.mib)
        var time = 0.0
        while rig.engine.ladders[Self.worker]?.step.isContained != true {
            rig.tick(time, 0.5)
            time += 0.5
            try #require(time < 900, "never contained\n\(rig.story)")
        }
        try Self.restartDaemon(&rig, restoring: true)
        #expect(rig.engine.ladders[Self.worker]?.step.isContained == true)
        let before = rig.events.count
        while time <= 900 {
            rig.tick(time, 0.5)
            time += 0.5
        }
        #expect(!rig.events[before...].contains { event in
            guard case .act(let action, _, _) = event.decision else { return false }
            return action.unit == Self.worker && (action.isRestart || action.isContain)
        }, "\(rig.story)")
        #expect(!rig.ranOut && rig.stallTicks == 0)
    }

    @Test("a unit restarted while the daemon was away: one more restart, and the level it regrows to is not lost")
    func restartedWhileAway() {
        let settings = PolicySettings()
        var history = UnitMemoryHistory(restoring: .init(unit: "w.service", startedAt: 1, restarts: 1,
                                                         levelAtLastRestart: 600 * Self.mib, settledBytes: 80 * Self.mib,
                                                         earlierSettledBytes: nil))
        // The first sample of the new daemon: a later start (systemd restarted it meanwhile), small again.
        history.observe(time: 500, sample: PolicyPieceTests.sample("w.service", workingSet: 90 * Self.mib),
                        startedAt: 400, settings: settings)
        #expect(history.restarts == 2)
        // What it reached before the restart it was not watched for is unknown: the restored level stays.
        #expect(history.levelAtLastRestart == 600 * Self.mib)
        #expect(history.earlierSettledBytes == 80 * Self.mib)
        #expect(!history.isRegrowing(settings: settings.candidates))
    }

    @Test("the fingerprint changes with a restart noted and each ladder step, and never on a calm tick")
    func fingerprint() throws {
        var calm = PolicyRig(installed: 3 * Self.gib, baseUsed: 600 * Self.mib, swap: Self.gib,
                             units: [PolicyTimelineTests.bystander(), PolicyRig.Unit("db.service", size: Shape.steady(400 * Self.mib))],
                             driver: .supervisor)
        var changes = 0
        var last = PolicyMemory.Fingerprint(calm.engine)
        for step in 0...600 {
            calm.tick(Double(step) * 0.5, 0.5)
            let now = PolicyMemory.Fingerprint(calm.engine)
            if now != last { changes += 1 }
            last = now
        }
        #expect(changes == 0)

        var rig = Self.regrowingLeakRig(installed: 2 * Self.gib, rate: 96 * Self.mib)
        last = PolicyMemory.Fingerprint(rig.engine)
        var lastSteps: [UnitLadder] = []
        var lastRestarts = 0
        var missed: [Double] = []
        var spurious: [Double] = []
        changes = 0
        for step in 0...1200 {
            let time = Double(step) * 0.5
            rig.tick(time, 0.5)
            let now = PolicyMemory.Fingerprint(rig.engine)
            let steps = rig.engine.remembered.ladders.map(\.withoutQuietSince).sorted { $0.unit < $1.unit }
            let restarts = rig.engine.histories.values.reduce(0) { $0 + $1.restarts }
            let moved = steps != lastSteps || restarts != lastRestarts
            if now != last { changes += 1 }
            if moved && now == last { missed.append(time) }
            if !moved && now != last { spurious.append(time) }
            (last, lastSteps, lastRestarts) = (now, steps, restarts)
        }
        #expect(missed.isEmpty, "steps or restarts changed without the fingerprint at \(missed)")
        #expect(spurious.isEmpty, "the fingerprint changed with nothing kept changing at \(spurious)")
        // Throttle, restart, contain at least; then each cgroup OOM of the contained leak is a restart.
        #expect(changes >= 3, "\(rig.story)")
    }
}

extension UnitLadder {
    /// The ladder as the fingerprint sees it: a throttle's quiet time is left out.
    var withoutQuietSince: UnitLadder {
        guard case .throttled(let high, let since, _) = step else { return self }
        return UnitLadder(unit: unit, step: .throttled(memoryHigh: high, since: since, quietSince: nil))
    }
}
