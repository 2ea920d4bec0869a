#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
@testable import HeadroomLinux
import HeadroomTestSupport
import Testing

/// The daemon's start and stop for runtime limits (a fake systemd), and unit start times.
@Suite("Daemon: throttles at start and stop, unit start times")
struct DaemonShellStartTests {
    static let mib: UInt64 = 1 << 20
    let directory = FileManager.default.temporaryDirectory.path + "/headroom-daemon-start-" + UUID().uuidString

    @Test("throttles left in the record are lifted (start after a crash, and stop); containments stay")
    func throttlesLiftedContainmentsKept() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let systemd = FakeSystemd(units: ["t.service": FakeSystemd.unlimited, "c.service": FakeSystemd.unlimited])
        let store = RuntimeLimitStore(stateDirectory: state)
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        _ = try keeper.apply(unit: "t.service", purpose: .throttle, values: [.memoryHigh: 100 * Self.mib], nowMs: 1)
        _ = try keeper.apply(unit: "c.service", purpose: .contain, values: [.memoryMax: 200 * Self.mib], nowMs: 1)
        let options = Daemon.Options(paths: KernelPaths(root: directory + "/root"), configPath: nil, stateDirectory: state,
                                     dryRun: false)
        let daemon = try Daemon(options: options, config: HeadroomConfig(), writeIncident: { _ in .success("") },
                                pruneIncidents: {})
        daemon.unitProperties = { systemd }
        daemon.liftThrottles(when: "start")
        #expect(systemd.units["t.service"] == FakeSystemd.unlimited)
        #expect(systemd.units["c.service"]?[.memoryMax] == 200 * Self.mib)
        #expect(try store.load().sorted.map(\.unit) == ["c.service"])
    }

    @Test("a unit's start is read from its oldest process when its cgroup is opened, only when asked")
    func unitStartedAt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cgroup = directory + "/cgroup"
        let unit = cgroup + "/system.slice/app.service"
        try FileManager.default.createDirectory(atPath: unit, withIntermediateDirectories: true)
        let files = ["memory.current": "1048576\n", "memory.stat": "anon 0\nfile 0\nactive_file 0\ninactive_file 0\nshmem 0\n",
                     "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", "cgroup.procs": "\(getpid())\n"]
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: unit + "/" + name)) }
        let sampler = ServiceSampler(visibility: .available(cgroupRoot: cgroup), unitStarts: ProcessSnapshotReader())
        let sample = try #require(sampler.scan().services.first)
        let expected = try #require(UnitProcessStart.monotonicSeconds(cgroupDirectory: unit))
        let startedAt = try #require(sample.startedAt)
        #expect(abs(startedAt - expected) < 0.05)
        #expect(startedAt <= Clock.monotonicSeconds())
        // Later ticks keep it without reading /proc again.
        #expect(sampler.scan(relist: false, detail: .currentOnly).services.first?.startedAt == startedAt)
        #expect(ServiceSampler(visibility: .available(cgroupRoot: cgroup)).scan().services.first?.startedAt == nil)
    }
}
