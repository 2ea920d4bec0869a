@testable import HeadroomCore
import Testing

/// The cases of issue 12's table and its additions, each at two clearly different sizes or
/// rates, driven through the composed policy (`PolicyEngine`) with scripted samples.
@Suite("Policy timelines")
struct PolicyTimelineTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib

    struct Size: CustomTestStringConvertible, Sendable {
        var installed: UInt64, swap: UInt64, base: UInt64, amount: UInt64, rate: UInt64
        var driver: PolicyRig.Driver = .engine
        var testDescription: String {
            "\(ByteSize.format(installed)) VM, \(ByteSize.format(amount)) at \(ByteSize.format(rate))/s, \(driver.rawValue)"
        }

        /// Each size through the policy alone and through the supervisor.
        static func throughBoth(_ sizes: [Size]) -> [Size] {
            sizes + sizes.map { var size = $0; size.driver = .supervisor; return size }
        }
    }

    static func bystander(_ size: UInt64 = 300 * mib) -> PolicyRig.Unit {
        PolicyRig.Unit("shop.service", size: Shape.steady(size))
    }

    @Test("database warm-up, flat after: never throttled, restarted or contained, bystander untouched", arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 900 * mib, amount: 1400 * mib, rate: 150 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 5 * gib, rate: 400 * mib),
    ]))
    func databaseWarmUp(size: Size) {
        let db = PolicyRig.Unit("postgresql.service", startedAt: 0,
                                size: Shape.ramp(from: 50 * Self.mib, to: size.amount, perSecond: size.rate))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [db, Self.bystander()], driver: size.driver)
        rig.run(until: 400)
        #expect(rig.actions(on: "postgresql.service").isEmpty, "not even throttled\n\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }

    @Test("a slow leak from its own start (young, below the swap rate): restarted at RAM's floor, no stall",
          arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 16 * mib),
        Size(installed: 4 * gib, swap: 2 * gib, base: 900 * mib, amount: 0, rate: 24 * mib),
    ]))
    func slowLeakFromStart(size: Size) {
        var leak = PolicyRig.Unit("api.service", startedAt: 0, size: Shape.leak(from: 50 * Self.mib, perSecond: size.rate))
        leak.afterRestart = Shape.steady(50 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [leak, Self.bystander()], driver: size.driver)
        rig.run(until: 400)
        #expect(rig.restarts(of: "api.service") == 1, "\(rig.story)")
        #expect(rig.minimumAvailable >= 48 * Self.mib, "met at the floor, before swap: \(rig.minimumAvailable / Self.mib) MiB")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }

    @Test("nix-daemon build ramps inside the management reserve, holds, exits: left alone", arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 900 * mib, amount: 1000 * mib, rate: 20 * mib),
        Size(installed: 6 * gib, swap: 2 * gib, base: 1200 * mib, amount: 700 * mib, rate: 120 * mib),
    ]))
    func nixBuild(size: Size) {
        let rampEnd = Double(size.amount) / Double(size.rate)
        let nix = PolicyRig.Unit("nix-daemon.service") { age in
            let t = age - 86_400
            if t < 0 || t > rampEnd + 120 { return 40 * Self.mib }
            return min(size.amount, 40 * Self.mib + UInt64(t * Double(size.rate)))
        }
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [nix, Self.bystander(600 * Self.mib)], driver: size.driver)
        rig.run(until: rampEnd + 200)
        #expect(!rig.touched("nix-daemon.service"))
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
    }

    @Test("telegraf leaks past its budget while a large application starts: telegraf, never the application",
          arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 700 * mib, amount: 1200 * mib, rate: 20 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 4 * gib, rate: 64 * mib),
    ]))
    func telegrafBesideStartingApplication(size: Size) throws {
        let app = PolicyRig.Unit("customer-app.service", startedAt: 0,
                                 size: Shape.ramp(from: 100 * Self.mib, to: size.amount, perSecond: 80 * Self.mib))
        var telegraf = PolicyRig.Unit("telegraf.service",
                                      size: Shape.leak(from: 200 * Self.mib, perSecond: size.rate, after: 86_400))
        telegraf.afterRestart = Shape.steady(120 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap, units: [app, telegraf], driver: size.driver)
        rig.run(until: 300)
        #expect(rig.restarts(of: "telegraf.service") >= 1)
        // Past its budget, the agent's remedy is its restart; a throttle would only stall it.
        #expect(!rig.actions(on: "telegraf.service").contains { $0.isThrottle }, "\(rig.story)")
        #expect(!rig.touched("customer-app.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }

    @Test("an agent leaking past its budget beside a steady application: restarted at the throttle horizon, not the restart one",
          arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 700 * mib, amount: 1200 * mib, rate: 8 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 4 * gib, rate: 24 * mib),
    ]))
    func agentRestartedEarly(size: Size) throws {
        let app = PolicyRig.Unit("customer-app.service", size: Shape.steady(size.amount))
        var telegraf = PolicyRig.Unit("telegraf.service", size: Shape.leak(from: 200 * Self.mib, perSecond: size.rate,
                                                                           after: 86_400))
        telegraf.afterRestart = Shape.steady(120 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap, units: [app, telegraf],
                            driver: size.driver)
        rig.run(until: 600)
        let first = try #require(rig.events.first { event in
            if case .act(.restart(let unit, _), _, _) = event.decision { unit == "telegraf.service" } else { false }
        }, "\(rig.story)")
        guard case .act(_, _, let horizon) = first.decision else { return }
        // Its restart costs no customer anything: it comes as the throttle horizon (180 s) is reached,
        // not later (before this rule: at 123 s and 84 s of horizon, 992 MiB and 2 GiB of room).
        #expect((horizon.seconds ?? .infinity) >= 0.8 * PolicySettings().ladder.throttleHorizonSeconds, "\(rig.story)")
        #expect(!rig.actions(on: "telegraf.service").contains { $0.isThrottle }, "\(rig.story)")
        #expect(!rig.touched("customer-app.service"))
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }

    @Test("an agent leaking from its own start beside an application warming up fast: the agent, never the application",
          arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 400 * mib, amount: 1900 * mib, rate: 16 * mib),
        // Fast warm-ups must stop with ~3 s of their rate beyond swap still free in RAM
        // (docs/OPERATIONS.md, "Warm-ups"): 700 MiB at 200 MiB/s leaves ~600 MiB here.
        Size(installed: 2 * gib, swap: gib, base: 350 * mib, amount: 700 * mib, rate: 8 * mib),
    ]))
    func youngAgentBesideFastApplication(size: Size) throws {
        let app = PolicyRig.Unit("crm.service", slice: "customer.slice", startedAt: 0,
                                 size: Shape.ramp(from: 50 * Self.mib, to: size.amount, perSecond: 200 * Self.mib))
        var agent = PolicyRig.Unit("sensu-client.service", startedAt: 0,
                                   size: Shape.leak(from: 200 * Self.mib, perSecond: size.rate))
        agent.afterRestart = Shape.leak(from: 200 * Self.mib, perSecond: size.rate)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [app, agent, Self.bystander(100 * Self.mib)], driver: size.driver)
        rig.run(until: 240, step: 0.25)
        #expect(!rig.actions(on: "sensu-client.service").isEmpty, "\(rig.story)")
        #expect(!rig.actions(on: "sensu-client.service").contains { $0.isThrottle }, "\(rig.story)")
        #expect(!rig.touched("crm.service"), "\(rig.story)")
        #expect(!rig.ranOut)
    }

    @Test("a leak that regrows after every restart is contained, in system.slice and in a custom slice",
          arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 96 * mib),
        Size(installed: 4 * gib, swap: 2 * gib, base: 900 * mib, amount: 0, rate: 12 * mib),
    ]))
    func regrowingLeak(size: Size) throws {
        for slice in ["system.slice", "customer.slice"] {
            var leak = PolicyRig.Unit("leaky-worker.service", slice: slice,
                                      size: Shape.leak(from: 80 * Self.mib, perSecond: size.rate, after: 86_400))
            leak.afterRestart = Shape.leak(from: 80 * Self.mib, perSecond: size.rate)
            var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                                units: [leak, Self.bystander()], driver: size.driver)
            rig.run(until: 900)
            let actions = rig.actions(on: "leaky-worker.service")
            #expect(actions.contains { $0.isRestart }, "\(slice)\n\(rig.story)")
            let contain = try #require(actions.first { $0.isContain }, "\(slice)\n\(rig.story)")
            guard case .contain(_, let memoryMax, let memoryHigh, let swapMax) = contain else { return }
            #expect(memoryHigh == memoryMax)
            #expect(swapMax == 0)
            #expect(memoryMax < rig.memTotal / 2 + 200 * Self.mib)
            #expect(rig.unit("leaky-worker.service").cgroupOoms >= 1)
            #expect(!rig.touched("shop.service"))
            #expect(!rig.ranOut)
            #expect(rig.stallTicks == 0, "\(slice)\n\(rig.story)")
            // Only `headroom release` lifts it.
            #expect(rig.engine.ladders["leaky-worker.service"]?.step.isContained == true)
            #expect(rig.engine.release(unit: "leaky-worker.service") == .release(unit: "leaky-worker.service"))
        }
    }

    @Test("a leak from its own start that regrows: contained with the reserve kept, the VM never stalls",
          arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 300 * mib, amount: 0, rate: 128 * mib),
        Size(installed: 3 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 64 * mib),
    ]))
    func leakFromStart(size: Size) throws {
        let leak = PolicyRig.Unit("ingest.service", slice: "customer.slice", startedAt: 0,
                                  size: Shape.leak(from: 100 * Self.mib, perSecond: size.rate))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [leak, Self.bystander(100 * Self.mib)], driver: size.driver)
        rig.run(until: 300, step: 0.25)
        let contain = try #require(rig.actions(on: "ingest.service").first { $0.isContain }, "\(rig.story)")
        guard case .contain(_, let memoryMax, _, _) = contain else { return }
        // None of its runs settled: it gets what the VM can spare above the reserve.
        let reserve = WarmUpRule.reserveBytes(memTotal: rig.memTotal, settings: PolicySettings().warmUp)
        let spare = rig.memTotal - size.base - 100 * Self.mib
        #expect(memoryMax <= spare - reserve + Self.mib && memoryMax >= spare - reserve - 64 * Self.mib, "\(rig.story)")
        #expect(rig.unit("ingest.service").cgroupOoms >= 2, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }

    @Test("a heap allocated in a burst at start that leaves little RAM, then a slow creep: not acted on during its start",
          arguments: Size.throughBoth([
        // ~100 MiB of RAM left after the burst, as in the guest's creep-a (70 MiB).
        Size(installed: 2 * gib, swap: 256 * mib, base: 300 * mib, amount: 1400 * mib, rate: 84 * mib),
        Size(installed: 3 * gib, swap: 512 * mib, base: 400 * mib, amount: 2300 * mib, rate: 48 * mib),
    ]))
    func burstThenCreep(size: Size) throws {
        var app = PolicyRig.Unit("billing.service", startedAt: 0,
                                 size: Shape.creep(to: size.amount, perSecond: 400 * Self.mib, perMinute: size.rate))
        app.afterRestart = Shape.steady(100 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [app, Self.bystander(100 * Self.mib)], driver: size.driver)
        rig.run(until: 900, step: 0.25)
        let first = try #require(rig.events.first { if case .act(let a, _, _) = $0.decision { a.unit == "billing.service" } else { false } },
                                 "\(rig.story)")
        #expect(first.time > 30, "not during its start\n\(rig.story)")
        #expect(rig.restarts(of: "billing.service") == 1, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(!rig.events.contains { event in
            if case .fileInstead = event.decision { event.time < 30 } else { false }
        }, "a start is not a 'could not act'\n\(rig.story)")
    }

    @Test("an application that starts large, then creeps slowly: found before memory runs out", arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 900 * mib, amount: 1300 * mib, rate: 8 * mib),
        Size(installed: 4 * gib, swap: gib, base: 1000 * mib, amount: 2 * gib, rate: 40 * mib),
    ]))
    func largeStartThenCreep(size: Size) throws {
        var app = PolicyRig.Unit("crm.service", startedAt: 0,
                                 size: Shape.creep(to: size.amount, perSecond: 100 * Self.mib, perMinute: size.rate))
        app.afterRestart = Shape.ramp(from: 0, to: size.amount, perSecond: 100 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [app, Self.bystander(400 * Self.mib)], driver: size.driver)
        rig.run(until: 4 * 3600, step: 2)
        let first = try #require(rig.events.first { if case .act(let a, _, _) = $0.decision { a.unit == "crm.service" } else { false } },
                                 "\(rig.story)")
        #expect(first.time > 900, "not during its start")
        #expect(rig.restarts(of: "crm.service") >= 1, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0)
    }

    @Test("a start too large to tell from a leak, cut once: any containment leaves room for the whole start",
          arguments: Size.throughBoth([
        // As the guest's creep-b: 2.2 GiB at ~300 MiB/s on 3 GiB, ~270 MiB of RAM left after it.
        Size(installed: 3 * gib, swap: 512 * mib, base: 350 * mib, amount: 2200 * mib, rate: 300 * mib),
        Size(installed: 4 * gib, swap: gib, base: 500 * mib, amount: 3000 * mib, rate: 200 * mib),
    ]))
    func largeStartCutOnce(size: Size) throws {
        // Every run allocates the same heap at start, then creeps at 48 MiB a minute.
        let app = PolicyRig.Unit("analytics.service", slice: "customer.slice", startedAt: 0,
                                 size: Shape.creep(to: size.amount, perSecond: size.rate, perMinute: 48 * Self.mib))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [app, Self.bystander(100 * Self.mib)], driver: size.driver)
        rig.run(until: 90, step: 0.25)
        for case .contain(_, let memoryMax, _, _) in rig.actions(on: "analytics.service") {
            #expect(memoryMax >= size.amount, "contained below its start heap\n\(rig.story)")
        }
        #expect(rig.unit("analytics.service").cgroupOoms == 0, "killed at its limit while starting\n\(rig.story)")
        #expect(rig.restarts(of: "analytics.service") <= 1, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
    }

    @Test("a steady leak: restarted in time, no stall", arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 16 * mib),
        Size(installed: 6 * gib, swap: 2 * gib, base: 1200 * mib, amount: 0, rate: 64 * mib),
    ]))
    func steadyLeak(size: Size) {
        var leak = PolicyRig.Unit("importer.service", size: Shape.leak(from: 60 * Self.mib, perSecond: size.rate,
                                                                    after: 86_400))
        leak.afterRestart = Shape.steady(60 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [leak, Self.bystander()], driver: size.driver)
        rig.run(until: 600)
        #expect(rig.restarts(of: "importer.service") == 1, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }
}

extension PolicyTimelineTests {
    @Test("a fast leak from a unit's start (young): restarted before any stall, never throttled", arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 350 * mib, amount: 0, rate: 128 * mib),
        Size(installed: 4 * gib, swap: gib, base: 900 * mib, amount: 0, rate: 256 * mib),
    ]))
    func fastLeakFromStart(size: Size) {
        var leak = PolicyRig.Unit("leak.service", startedAt: 0, size: Shape.leak(from: 50 * Self.mib, perSecond: size.rate))
        leak.afterRestart = Shape.steady(50 * Self.mib)
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [leak, Self.bystander(200 * Self.mib)], driver: size.driver)
        rig.run(until: 120, step: 0.25)
        #expect(rig.restarts(of: "leak.service") == 1, "\(rig.story)")
        #expect(!rig.actions(on: "leak.service").contains { $0.isThrottle }, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
        #expect(rig.minimumAvailable > 64 * Self.mib)
    }
}

extension UnitLadder.Step {
    var isContained: Bool { if case .contained = self { true } else { false } }
}
