import FoundationEssentials
import HeadroomCore
import HeadroomTestSupport
import HeadroomLinux
import Testing

enum Fixtures {
    static let directory = FixtureDirectory.path

    static func path(_ relative: String) -> String { directory + "/" + relative }

    static func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}

/// A scratch copy of a fixture root, removed at the end.
final class ScratchRoot {
    let path: String

    init(copying fixture: String) throws {
        path = FileManager.default.temporaryDirectory.path + "/headroom-linux-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: Fixtures.path(fixture), toPath: path)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + relative))
    }
}

@Suite("Readers on a captured Debian guest (3 GiB, cgroup v2)")
struct GuestFixtureTests {
    static let root = Fixtures.path("guest-3gib")
    static let paths = KernelPaths(root: root)

    @Test("installed RAM is online blocks x block size")
    func installedMemory() throws {
        let sample = try SystemSampler(paths: Self.paths).sample()
        let blocks = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/sys/devices/system/memory")
            .filter { $0.hasPrefix("memory") }
        let online = try blocks.filter {
            try Fixtures.contents(Self.root + "/sys/devices/system/memory/\($0)/online") == "1\n"
        }
        #expect(sample.installed.source == .memoryBlocks)
        #expect(sample.installed.bytes == UInt64(online.count) * 0x800_0000)
        #expect(sample.installed.bytes == 3 << 30)
        #expect(sample.meminfo.memTotal == 3_043_248 * 1024)
        #expect(sample.swaps.map(\.path) == ["/dev/vdb"])
        #expect(sample.swappiness == 1)
    }

    @Test("cgroup v2 with memory delegated is found under --root")
    func discovery() {
        #expect(CgroupDiscovery.discover(paths: Self.paths) == .available(cgroupRoot: Self.root + "/sys/fs/cgroup"))
    }

    @Test("units are found under system.slice, nested slices and user.slice; mounts and slices are not units")
    func unitListing() throws {
        let sampler = ServiceSampler(visibility: .available(cgroupRoot: Self.root + "/sys/fs/cgroup"))
        let units = Dictionary(uniqueKeysWithValues: sampler.listUnitCgroups().map { ($0.unit, $0.relativePath) })
        #expect(units["init.scope"] == "init.scope")
        #expect(units["telegraf.service"] == "system.slice/telegraf.service")
        #expect(units["getty@tty1.service"] == "system.slice/system-getty.slice/getty@tty1.service")
        #expect(units["serial-getty@ttyS0.service"] == "system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service")
        #expect(units["worker@1.service"] == "system.slice/system-worker.slice/worker@1.service")
        #expect(units["tester-memhog.service"] == "user.slice/user-1000.slice/tester-memhog.service")
        #expect(units.keys.allSatisfy { $0.hasSuffix(".service") || $0.hasSuffix(".scope") })
        #expect(units.count == 21)
    }

    @Test("each unit's figures equal its files; memory.current matches systemd's MemoryCurrent")
    func unitFigures() throws {
        let scan = ServiceSampler(visibility: .available(cgroupRoot: Self.root + "/sys/fs/cgroup")).scan()
        #expect(scan.problems.isEmpty)
        #expect(scan.vanished.isEmpty)
        let systemd = try Fixtures.contents(Self.root + "/EXPECTED-memorycurrent.txt").split(separator: "\n")
            .reduce(into: [String: UInt64]()) { table, line in
                let parts = line.split(separator: "\t")
                table[String(parts[0])] = UInt64(parts[1])
            }
        for service in scan.services {
            let directory = Self.root + "/sys/fs/cgroup/" + service.cgroupPath
            let current = UInt64(try Fixtures.contents(directory + "/memory.current").dropLast())!
            let inactiveLine = try Fixtures.contents(directory + "/memory.stat").split(separator: "\n")
                .first { $0.hasPrefix("inactive_file ") }!
            let inactive = UInt64(inactiveLine.split(separator: " ")[1])!
            #expect(service.current == current, "\(service.unit)")
            #expect(service.workingSet == (current > inactive ? current - inactive : 0), "\(service.unit)")
            // systemctl was asked a moment after the copy: live units (init.scope) drift by a few
            // hundred KiB; the memhog units hold still.
            if let expected = systemd[service.unit] {
                let drift = service.current > expected ? service.current - expected : expected - service.current
                #expect(drift < 1 << 20, "\(service.unit): file \(service.current), systemd said \(expected)")
            }
        }
        let telegraf = try #require(scan.services.first { $0.unit == "telegraf.service" })
        #expect(telegraf.workingSet > 300 << 20)
        #expect(telegraf.max == .unlimited)
        #expect(telegraf.swapCurrent == 0)
        #expect(telegraf.pressure != nil)
    }

    @Test("a cgroup that vanishes between listing and reading is skipped, not fatal")
    func vanishedCgroup() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        let sampler = ServiceSampler(visibility: .available(cgroupRoot: scratch.path + "/sys/fs/cgroup"))
        let listed = sampler.listUnitCgroups()
        try FileManager.default.removeItem(atPath: scratch.path + "/sys/fs/cgroup/system.slice/postgresql.service")
        var services: [String] = []
        var vanished: [String] = []
        for (unit, relative) in listed {
            let result = Result { () throws(KernelFileError) -> ServiceSample in
                try sampler.read(unit: unit, directory: scratch.path + "/sys/fs/cgroup/" + relative, relativePath: relative)
            }
            switch result {
            case .success(let sample): services.append(sample.unit)
            case .failure(let error): if error.kind == .missing { vanished.append(unit) }
            }
        }
        #expect(vanished == ["postgresql.service"])
        #expect(services.count == listed.count - 1)
        // The same through scan(): a unit whose files are gone mid-read is listed as vanished.
        try FileManager.default.removeItem(atPath: scratch.path + "/sys/fs/cgroup/system.slice/nix-gc.service/memory.current")
        let scan = sampler.scan()
        #expect(scan.vanished == ["nix-gc.service"])
        #expect(scan.problems.isEmpty)
    }

    @Test("files kept open: a unit restarted into a new cgroup directory at the same path is re-opened")
    func restartedUnitReopened() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        let sampler = ServiceSampler(visibility: .available(cgroupRoot: scratch.path + "/sys/fs/cgroup"),
                                     keepFilesOpen: true)
        let unit = scratch.path + "/sys/fs/cgroup/system.slice/telegraf.service"
        let before = try #require(sampler.scan().services.first { $0.unit == "telegraf.service" })
        // What systemd does on a restart: the old cgroup is removed, a new one made at the same path.
        try FileManager.default.moveItem(atPath: unit, toPath: unit + ".old")
        try FileManager.default.copyItem(atPath: unit + ".old", toPath: unit)
        try FileManager.default.removeItem(atPath: unit + ".old")
        try scratch.write("sys/fs/cgroup/system.slice/telegraf.service/memory.current", "52428800\n")
        // Between listings the open files still show the old cgroup; a listing notices the new one.
        let stale = try #require(sampler.scan(relist: false, detail: .currentOnly).services.first { $0.unit == "telegraf.service" })
        #expect(stale.current == before.current)
        let after = try #require(sampler.scan(relist: true).services.first { $0.unit == "telegraf.service" })
        #expect(after.current == 52_428_800)
        #expect(before.current != 52_428_800)
    }

    @Test("a malformed file leaves that unit out, reported; the others are still read")
    func malformedUnitFile() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        try scratch.write("sys/fs/cgroup/system.slice/telegraf.service/memory.stat", "anon 1\nfile two\n")
        let scan = ServiceSampler(visibility: .available(cgroupRoot: scratch.path + "/sys/fs/cgroup")).scan()
        #expect(scan.problems.count == 1)
        #expect(scan.problems.first?.path == scratch.path + "/sys/fs/cgroup/system.slice/telegraf.service/memory.stat")
        #expect(scan.problems.first?.lineNumber == 2)
        #expect(!scan.services.contains { $0.unit == "telegraf.service" })
        #expect(scan.services.count == 20)
    }

    @Test("a cgroup v2 root without the memory controller says why per-service figures are missing")
    func noMemoryController() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        try scratch.write("sys/fs/cgroup/cgroup.subtree_control", "cpu pids\n")
        let visibility = CgroupDiscovery.discover(paths: KernelPaths(root: scratch.path))
        #expect(visibility == .unavailable(reason: "the memory controller is not enabled for the children of "
            + "\(scratch.path)/sys/fs/cgroup (under --root) (cgroup.subtree_control lacks memory)"))
        try scratch.write("sys/fs/cgroup/cgroup.controllers", "cpu io pids\n")
        #expect(CgroupDiscovery.discover(paths: KernelPaths(root: scratch.path))
            == .unavailable(reason: "the cgroup v2 hierarchy at \(scratch.path)/sys/fs/cgroup (under --root) has no memory controller"))
    }

    @Test("unreadable memory blocks fall back to MemTotal and say so")
    func installedFallback() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        try scratch.write("sys/devices/system/memory/block_size_bytes", "zz\n")
        let sample = try SystemSampler(paths: KernelPaths(root: scratch.path)).sample()
        #expect(sample.installed.source == .memTotalFallback)
        #expect(sample.installed.bytes == sample.meminfo.memTotal)
        #expect(sample.installed.fallbackReason?.contains("block_size_bytes:1: expected the block size in hexadecimal") == true)
    }
}
