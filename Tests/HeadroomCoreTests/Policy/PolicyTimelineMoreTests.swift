@testable import HeadroomCore
import Testing

/// The additions: memory held in tmpfs, a runaway in an SSH session, two platform
/// agents over budget at once; each at two sizes or rates.
@Suite("Policy timelines: tmpfs, sessions, agents")
struct PolicyTimelineMoreTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib
    typealias Size = PolicyTimelineTests.Size

    @Test("memory in tmpfs: no restart of its writer nor of a bystander; filed once, naming where", arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 24 * mib),
        Size(installed: 6 * gib, swap: 2 * gib, base: 1200 * mib, amount: 0, rate: 96 * mib),
    ]))
    func tmpfs(size: Size) throws {
        let growth = Shape.leak(from: 60 * Self.mib, perSecond: size.rate, after: 86_400)
        var writer = PolicyRig.Unit("report-cache.service", size: growth)
        writer.shmem = { age in growth(age) - 50 * Self.mib }
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [writer, PolicyTimelineTests.bystander(500 * Self.mib)], driver: size.driver)
        // A throttle pushes tmpfs pages to swap; once that is full nobody can act on tmpfs,
        // and the test is what Headroom says, once within the 10 minutes.
        rig.run(until: 590)
        #expect(rig.restarts(of: "report-cache.service") == 0, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        let where_ = rig.filed.filter { if case .memoryInSharedMemory(let unit, _) = $0 { unit == "report-cache.service" } else { false } }
        #expect(where_.count == 1, "\(rig.story)")
        // Filed when the horizon first turned short (not only once the VM could not absorb),
        // with what the tmpfs held then.
        guard case .memoryInSharedMemory(_, let bytes) = try #require(where_.first) else { return }
        #expect(bytes > 50 * Self.mib)
    }

    @Test("a young service filling a tmpfs the VM still absorbs: nobody touched, filed once, naming where",
          arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 900 * mib, rate: 16 * mib),
        Size(installed: 3 * gib, swap: gib, base: 500 * mib, amount: 2000 * mib, rate: 32 * mib),
    ]))
    func youngTmpfsWriter(size: Size) throws {
        let growth = Shape.ramp(from: 10 * Self.mib, to: size.amount, perSecond: size.rate)
        var writer = PolicyRig.Unit("cache-writer.service", startedAt: 0, size: growth)
        writer.shmem = { age in growth(age).over(8 * Self.mib) }
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [writer, PolicyTimelineTests.bystander(600 * Self.mib)], driver: size.driver)
        rig.run(until: Double(size.amount / size.rate) + 60)
        #expect(rig.actions(on: "cache-writer.service").isEmpty, "\(rig.story)")
        #expect(!rig.touched("shop.service"))
        let where_ = rig.filed.filter { if case .memoryInSharedMemory(let unit, _) = $0 { unit == "cache-writer.service" } else { false } }
        #expect(where_.count == 1, "\(rig.story)")
    }

    @Test("a runaway in an SSH session: the session is not restarted, nobody else pays; its process is the target",
          arguments: Size.throughBoth([
        Size(installed: 2 * gib, swap: gib, base: 400 * mib, amount: 0, rate: 100 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 0, rate: 20 * mib),
    ]))
    func sshRunaway(size: Size) throws {
        let session = PolicyRig.Unit("session-7.scope", slice: "user.slice/user-1000.slice", startedAt: -600,
                                     size: Shape.leak(from: 20 * Self.mib, perSecond: size.rate, after: 600))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [session, PolicyTimelineTests.bystander(500 * Self.mib),
                                    PolicyRig.Unit("telegraf.service", size: Shape.steady(240 * Self.mib))], driver: size.driver)
        rig.run(until: 60 + Double(size.installed) / Double(size.rate))
        let terminate = try #require(rig.events.first { if case .terminateRunawayIn = $0.decision { true } else { false } },
                                     "\(rig.story)")
        guard case .terminateRunawayIn(let unit, let path, _) = terminate.decision else { return }
        #expect(unit == "session-7.scope")
        #expect(path == "user.slice/user-1000.slice/session-7.scope")
        #expect(!rig.touched("shop.service"))
        #expect(!rig.touched("telegraf.service"))
        #expect(!rig.touched("session-7.scope"))
    }

    @Test("runaway termination turned off: filed as a protected consumer, nobody else acted on")
    func sshRunawayOff() {
        var settings = PolicySettings()
        settings.runaway.terminateProcesses = false
        let session = PolicyRig.Unit("session-2.scope", slice: "user.slice/user-1000.slice",
                                     size: Shape.leak(from: 20 * Self.mib, perSecond: 60 * Self.mib, after: 86_400))
        var rig = PolicyRig(installed: 3 * Self.gib, baseUsed: 900 * Self.mib, swap: Self.gib,
                            units: [session, PolicyTimelineTests.bystander()], settings: settings)
        rig.run(until: 40)
        #expect(rig.filed.contains(.consumerProtected(unit: "session-2.scope")), "\(rig.story)")
        #expect(!rig.events.contains { if case .act = $0.decision { true } else { false } })
    }

    @Test("two platform agents over budget at once: both restarted, one at a time; the large application never",
          arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 600 * mib, amount: 900 * mib, rate: 12 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 4 * gib, rate: 48 * mib),
    ]))
    func twoAgents(size: Size) throws {
        var first = PolicyRig.Unit("telegraf.service", size: Shape.leak(from: 230 * Self.mib, perSecond: size.rate,
                                                                       after: 86_400))
        first.afterRestart = Shape.steady(120 * Self.mib)
        var second = PolicyRig.Unit("filebeat-journal.service",
                                    size: Shape.leak(from: 90 * Self.mib, perSecond: size.rate / 2, after: 86_400))
        second.afterRestart = Shape.steady(60 * Self.mib)
        let app = PolicyRig.Unit("customer-app.service", size: Shape.steady(size.amount))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [first, second, app], driver: size.driver)
        rig.run(until: 900)
        #expect(rig.restarts(of: "telegraf.service") == 1, "\(rig.story)")
        #expect(rig.restarts(of: "filebeat-journal.service") == 1, "\(rig.story)")
        #expect(!rig.touched("customer-app.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0)
        let restartTimes = rig.events.filter { if case .act(let a, _, _) = $0.decision { a.isRestart } else { false } }
            .map(\.time)
        #expect(restartTimes.count == 2 && restartTimes[1] - restartTimes[0] >= 1)
    }

    @Test("a contained agent cycling at its limit does not hold the other agent's restart",
          arguments: Size.throughBoth([
        Size(installed: 3 * gib, swap: gib, base: 500 * mib, amount: 1400 * mib, rate: 40 * mib),
        Size(installed: 8 * gib, swap: 2 * gib, base: 1200 * mib, amount: 4 * gib, rate: 96 * mib),
    ]))
    func containedAgentBesideSecond(size: Size) throws {
        var first = PolicyRig.Unit("sensu-client.service", startedAt: 0,
                                   size: Shape.leak(from: 150 * Self.mib, perSecond: size.rate))
        first.afterRestart = Shape.leak(from: 150 * Self.mib, perSecond: size.rate)
        var second = PolicyRig.Unit("filebeat-journal.service", startedAt: 0,
                                    size: Shape.leak(from: 60 * Self.mib, perSecond: size.rate * 2 / 5))
        second.afterRestart = Shape.steady(60 * Self.mib)
        let app = PolicyRig.Unit("cms.service", slice: "customer.slice", size: Shape.steady(size.amount))
        var rig = PolicyRig(installed: size.installed, baseUsed: size.base, swap: size.swap,
                            units: [first, second, app], driver: size.driver)
        rig.run(until: 300, step: 0.25)
        #expect(rig.actions(on: "sensu-client.service").contains { if case .contain = $0 { true } else { false } },
                "\(rig.story)")
        #expect(rig.restarts(of: "filebeat-journal.service") >= 1, "\(rig.story)")
        #expect(!rig.touched("cms.service"))
        #expect(!rig.ranOut)
        #expect(rig.stallTicks == 0, "\(rig.story)")
    }
}
