#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import HeadroomTestSupport
import Testing

@Suite("ProcessSnapshotReader and unit start")
struct ProcessSnapshotReaderTests {
    static let root = FixtureDirectory.path + "/processes"
    static let webService = root + "/sys/fs/cgroup/system.slice/web.service"

    @Test("a unit's processes, child groups included, largest first; a vanished pid is counted, not an error")
    func fixtureUnit() throws {
        let reader = ProcessSnapshotReader(paths: KernelPaths(root: Self.root))
        let unit = try reader.snapshot(cgroupDirectory: Self.webService)
        #expect(unit.listed == 4)
        #expect(unit.vanished == 1)
        #expect(unit.problems.isEmpty)
        #expect(unit.processes.map(\.pid) == [18699, 18770, 2])
        #expect(unit.processes[0].command.contains("python3 -c"))
        #expect(unit.processes[1].command == "sleep 1000")
        #expect(unit.processes[2].command == "[kthreadd]")
        #expect(try reader.snapshot(cgroupDirectory: Self.webService, limit: 1).processes.map(\.pid) == [18699])
    }

    @Test("a cgroup that has gone: .missing, so the caller can tell it from a damaged file")
    func goneCgroup() {
        let reader = ProcessSnapshotReader(paths: KernelPaths(root: Self.root))
        do {
            _ = try reader.snapshot(cgroupDirectory: Self.root + "/sys/fs/cgroup/gone.service")
            Issue.record("read a missing cgroup")
        } catch {
            #expect(error.kind == .missing)
        }
    }

    @Test("a fixture unit's reservation: its processes' VmData summed, the vanished pid left out")
    func fixtureReservation() throws {
        let reader = ProcessSnapshotReader(paths: KernelPaths(root: Self.root))
        let reservation = try #require(reader.reservation(cgroupDirectory: Self.webService))
        let statuses = try [18699, 18770, 2].map { pid in
            try ProcessStatus.parse(KernelFileReader.read(Self.root + "/proc/\(pid)/status"))
        }
        #expect(reservation == AddressReservation(statuses))
        #expect(reservation.dataBytes >= 57104 * 1024)
        #expect(reader.reservation(cgroupDirectory: Self.root + "/sys/fs/cgroup/gone.service") == nil)
    }

    @Test("live: a 64 MiB private map counts as untouched until it is written")
    func liveReservation() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-reservation-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "\(getpid())\n".write(toFile: directory + "/cgroup.procs", atomically: false, encoding: .utf8)
        let size = 64 << 20
        let map = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(map, size) }
        let before = try #require(ProcessSnapshotReader().reservation(cgroupDirectory: directory))
        memset(map, 0x5a, size / 2)
        let after = try #require(ProcessSnapshotReader().reservation(cgroupDirectory: directory))
        #expect(before.untouchedBytes >= UInt64(size), "mapped, not touched: \(before)")
        #expect(after.dataBytes >= before.dataBytes - (1 << 20) && after.dataBytes <= before.dataBytes + (8 << 20),
                "touching does not map more: \(before) → \(after)")
        #expect(before.untouchedBytes - after.untouchedBytes >= UInt64(size / 2) - (4 << 20), "\(before) → \(after)")
    }

    @Test("this test process, live: its command line and resident memory")
    func liveSelf() throws {
        let me = try ProcessSnapshotReader().read(pid: getpid()).get()
        #expect(me.pid == getpid())
        #expect(me.residentBytes > 1 << 20)
        #expect(!me.command.isEmpty && !me.command.hasPrefix("["))
    }

    @Test("a process start converts to CLOCK_MONOTONIC: this process started before now, and not before boot")
    func startOnMonotonicClock() throws {
        let ticks = try #require(ProcessSnapshotReader().startTicks(pid: getpid()))
        let start = UnitProcessStart.monotonicSeconds(startTicks: ticks)
        let now = Clock.seconds(CLOCK_MONOTONIC)
        #expect(start <= now + 0.02)
        #expect(start > -0.02)
        #expect(now - start < 3600, "the test process is younger than an hour")
    }

    @Test("unit start from its processes: the oldest one (fixture ticks: kthreadd's 10)")
    func oldestProcess() throws {
        let start = try #require(UnitProcessStart.monotonicSeconds(
            cgroupDirectory: Self.webService, reader: ProcessSnapshotReader(paths: KernelPaths(root: Self.root))))
        let python = UnitProcessStart.monotonicSeconds(startTicks: 120074)
        #expect(start < python)
        #expect(abs((python - start) - Double(120074 - 10) / Double(sysconf(Int32(_SC_CLK_TCK)))) < 0.01)
    }
}
