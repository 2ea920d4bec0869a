import Foundation
import HeadroomCore
import Testing

/// The whole I/O shell without systemd: `headroom daemon --root R --dry-run` against a fixture
/// root whose files this test rewrites over time, as a leak would change them.
@Suite("headroom daemon on a changing fixture root", .serialized)
struct DaemonFixtureRootTests {
    static let mib: UInt64 = 1 << 20

    /// The `headroom` binary SwiftPM built next to the test bundle.
    static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" || directory.path.hasSuffix(".xctest/Contents") {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("headroom").path
    }

    /// `headroom daemon ARGUMENTS` as a child process, stopped with SIGTERM.
    final class RunningDaemon {
        let process = Process()
        private let errors = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: DaemonFixtureRootTests.executable)
            process.arguments = ["daemon"] + arguments
            process.standardError = errors
            try process.run()
        }

        deinit { if process.isRunning { process.terminate() } }

        /// SIGTERM, wait, and what it logged.
        func stop() -> (status: Int32, log: String) {
            process.terminate()
            process.waitUntilExit()
            return (process.terminationStatus,
                    String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }

    struct Root {
        let path: String
        let memTotal: UInt64 = 2048 * 1024 * 1024 - 150 * 1024 * 1024

        func write(_ relative: String, _ text: String) throws {
            let file = URL(fileURLWithPath: path + "/" + relative)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = file.appendingPathExtension("new")
            try Data(text.utf8).write(to: temporary)
            // rename(2): the daemon sees the old file or the new one, never half of one.
            guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        func unit(_ name: String, current: UInt64) throws {
            let directory = "sys/fs/cgroup/system.slice/\(name)"
            try write("\(directory)/memory.current", "\(current)\n")
            try write("\(directory)/memory.stat", "anon \(current)\nfile 0\nactive_file 0\ninactive_file 0\nshmem 0\n")
            try write("\(directory)/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
            try write("\(directory)/memory.swap.current", "0\n")
            try write("\(directory)/memory.max", "max\n")
        }

        /// The VM at `available` bytes of MemAvailable.
        func system(available: UInt64) throws {
            let kib = { (bytes: UInt64) in bytes / 1024 }
            try write("proc/meminfo", """
                MemTotal:       \(kib(memTotal)) kB
                MemFree:        \(kib(available)) kB
                MemAvailable:   \(kib(available)) kB
                Buffers:        1024 kB
                Cached:         102400 kB
                Active(file):   51200 kB
                Inactive(file): 51200 kB
                SwapTotal:      1048572 kB
                SwapFree:       1048572 kB

                """)
        }

        static func make(in scratch: ScratchDirectory) throws -> Root {
            let root = Root(path: scratch.path + "/root")
            try root.write("proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
            try root.write("proc/vmstat", "pgmajfault 0\npswpin 0\npswpout 0\noom_kill 0\n")
            try root.write("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/vdb partition 1048572 0 -2\n")
            try root.write("proc/sys/vm/swappiness", "1\n")
            try root.write("proc/sys/kernel/random/boot_id", "0d1b2c3a-0000-4000-8000-000000000001\n")
            try root.write("sys/devices/system/memory/block_size_bytes", "8000000\n")
            for block in 0..<16 { try root.write("sys/devices/system/memory/memory\(block)/online", "1\n") }
            try root.write("sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n")
            try root.write("sys/fs/cgroup/cgroup.subtree_control", "memory pids\n")
            return root
        }
    }

    @Test("a leak in the fixture: the dry-run daemon files the incident naming it and changes nothing")
    func leakIncidentInDryRun() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let state = scratch.path + "/state"
        let config = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": 0.25}}"#)
        var leak: UInt64 = 50 * Self.mib
        let bystander: UInt64 = 200 * Self.mib
        let base: UInt64 = 350 * Self.mib
        try root.unit("bystander.service", current: bystander)
        try root.unit("leak.service", current: leak)
        try root.system(available: root.memTotal - base - bystander - leak)

        let daemon = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", state, "--config", config])

        // 128 MiB/s, written every 250 ms, until an incident appears or memory would be gone.
        let incidents = URL(fileURLWithPath: state + "/incidents")
        var incidentFile: URL?
        for _ in 0..<60 {
            Thread.sleep(forTimeInterval: 0.25)
            leak += 32 * Self.mib
            let used = base + bystander + leak
            guard used < root.memTotal else { break }
            try root.unit("leak.service", current: leak)
            try root.system(available: root.memTotal - used)
            incidentFile = (try? FileManager.default.contentsOfDirectory(at: incidents, includingPropertiesForKeys: nil))?
                .first { $0.pathExtension == "json" }
            if incidentFile != nil { break }
        }
        let (status, log) = daemon.stop()
        #expect(status == 0, "log:\n\(log)")

        let file = try #require(incidentFile, "no incident; log:\n\(log)")
        let json = try JSONValue.parse(Array(try Data(contentsOf: file)))
        #expect(json["schema"]?.int == 1)
        #expect(json["culprit"]?.string == "leak.service")
        #expect(json["dry_run"] == .bool(true))
        #expect(json["outcome"]?.string == "dry_run")
        #expect(json["kind"]?.string == "restart")
        #expect(json["boot_id"]?.string == "0d1b2c3a-0000-4000-8000-000000000001")
        #expect(json["narrative"]?.string?.hasPrefix("leak.service would have been restarted (dry run") == true)
        #expect(log.contains("--root given: no PSI trigger on fixture files; sampling on ticks only"))
        // Dry run: swappiness untouched, nothing remembered.
        #expect(try String(contentsOfFile: root.path + "/proc/sys/vm/swappiness", encoding: .utf8) == "1\n")
        #expect(!FileManager.default.fileExists(atPath: state + "/swappiness.original"))
    }

    @Test("not a dry run: swappiness is raised under pressure and restored on SIGTERM")
    func swappinessRestoredOnStop() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let state = scratch.path + "/state"
        let config = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": 0.25}}"#)
        try root.unit("app.service", current: 100 * Self.mib)
        // 15 % available: elevated.
        try root.system(available: root.memTotal * 15 / 100)
        let daemon = try RunningDaemon(["--root", root.path, "--state-dir", state, "--config", config])
        var raised = false
        for _ in 0..<40 where !raised {
            Thread.sleep(forTimeInterval: 0.1)
            raised = (try? String(contentsOfFile: root.path + "/proc/sys/vm/swappiness", encoding: .utf8)) == "60\n"
        }
        #expect(raised)
        // Recorded with the boot it belongs to (issue 13: a later boot's sysctl is never undone).
        #expect(try String(contentsOfFile: state + "/swappiness.original", encoding: .utf8)
                == "0d1b2c3a-0000-4000-8000-000000000001 1\n")
        // The status file for `headroom check` / `metrics`: this daemon's pid and level, gone after a clean stop.
        // The status file is written after the tick's actions (swappiness first): wait for it.
        let statusPath = root.path + "/run/headroom/status"
        var published: DaemonStatus?
        for _ in 0..<40 where published?.level != .elevated {
            published = (try? Data(contentsOf: URL(fileURLWithPath: statusPath))).flatMap { try? DaemonStatus.parse(Array($0)) }
            if published?.level != .elevated { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(published?.pid == daemon.process.processIdentifier)
        #expect(published?.level == .elevated)
        let (status, log) = daemon.stop()
        #expect(!FileManager.default.fileExists(atPath: statusPath))
        #expect(status == 0, "log:\n\(log)")
        #expect(try String(contentsOfFile: root.path + "/proc/sys/vm/swappiness", encoding: .utf8) == "1\n")
        #expect(!FileManager.default.fileExists(atPath: state + "/swappiness.original"))
        #expect(log.contains("vm.swappiness restored to 1"))
    }

    @Test("metrics.influx_socket: the daemon pushes line protocol, with its level, to a listening socket")
    func pushesInfluxLines() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let socketPath = scratch.path + "/influx.sock"
        let received = scratch.path + "/received.txt"
        // A stand-in for telegraf's socket_listener (unix://): accepts one connection and keeps
        // what arrives until a whole push (ending with a newline after the daemon family) is in.
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = ["python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
            c, _ = s.accept(); c.settimeout(20); data = b""
            while b"headroom_daemon" not in data or not data.endswith(b"\\n"):
                chunk = c.recv(65536)
                if not chunk: break
                data += chunk
            open(sys.argv[2], "wb").write(data)
            """, socketPath, received]
        try listener.run()
        defer { if listener.isRunning { kill(listener.processIdentifier, SIGKILL) } }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socketPath) { Thread.sleep(forTimeInterval: 0.1) }

        let config = try scratch.write("config.json", """
            {"metrics": {"influx_socket": "\(socketPath)", "interval_seconds": 1}, "supervisor": {"tick_seconds": 0.25}}
            """)
        try root.unit("app.service", current: 100 * Self.mib)
        try root.system(available: root.memTotal / 2)
        let daemon = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", scratch.path + "/state",
                                        "--config", config])
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: received) { Thread.sleep(forTimeInterval: 0.1) }
        let (status, log) = daemon.stop()
        #expect(status == 0, "log:\n\(log)")
        let text = try String(contentsOfFile: received, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.contains("headroom_daemon up=1i,level_code=0i,level=\"calm\"") ||
                lines.contains { $0.hasPrefix("headroom_daemon up=1i,level_code=0i,level=\"calm\",") }, "got:\n\(text)")
        #expect(lines.contains { $0.hasPrefix("headroom_memory ") && $0.contains("available_bytes=\(root.memTotal / 2)i") },
                "got:\n\(text)")
        #expect(lines.contains { $0.hasPrefix("headroom_unit,") && $0.contains("unit=app.service") }, "got:\n\(text)")
        #expect(log.contains("metrics to \(socketPath): sent"), "log:\n\(log)")
    }

    @Test("after a crash, the next start restores the swappiness the crashed run had changed")
    func swappinessRestoredAfterCrash() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let state = scratch.path + "/state"
        try root.unit("app.service", current: 100 * Self.mib)
        try root.system(available: root.memTotal / 2)
        try root.write("proc/sys/vm/swappiness", "60\n")
        _ = try scratch.write("state/swappiness.original", "0d1b2c3a-0000-4000-8000-000000000001 1\n")
        let daemon = try RunningDaemon(["--root", root.path, "--state-dir", state])
        Thread.sleep(forTimeInterval: 1)
        let (_, log) = daemon.stop()
        #expect(log.contains("restored vm.swappiness=1 (was 60), left changed by a previous run in this boot"), "\(log)")
        #expect(try String(contentsOfFile: root.path + "/proc/sys/vm/swappiness", encoding: .utf8) == "1\n")
    }

    @Test("SIGHUP reloads the config; an invalid new config is refused and the running one kept")
    func reloadOnSIGHUP() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let config = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": 0.25}}"#)
        try root.unit("app.service", current: 100 * Self.mib)
        try root.system(available: root.memTotal / 2)
        let daemon = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", scratch.path + "/state",
                             "--config", config])
        Thread.sleep(forTimeInterval: 0.8)
        _ = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": "fast"}}"#)
        kill(daemon.process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        _ = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": 0.5}}"#)
        kill(daemon.process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(daemon.process.isRunning)
        let (status, log) = daemon.stop()
        #expect(status == 0, "log:\n\(log)")
        #expect(log.contains("config reload refused, keeping the running config: \(config): supervisor.tick_seconds: "
            + "expected seconds as a number, found a string"), "log:\n\(log)")
        #expect(log.contains("<5>config reloaded"), "log:\n\(log)")
    }
}
