#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

/// The daemon's status file as `headroom check` reads it ("Check" in the name for the test filter).
@Suite("DaemonStatusFile on the live /proc")
struct CheckDaemonStatusFileTests {
    @Test("written by this process: running; mode 0644 despite the umask; removed: not running")
    func liveProcess() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-status-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = DaemonStatusFile(path: directory + "/run/headroom/status")
        let previous = umask(0o027)
        defer { umask(previous) }
        try file.write(level: .critical, sinceMs: 1_800_000_000_123, startedAtMs: 1_799_000_000_000)
        guard case .running(let status) = try file.read() else {
            Issue.record("expected running: \(try file.read())")
            return
        }
        #expect(status.pid == getpid())
        #expect(status.level == .critical)
        #expect(status.sinceMs == 1_800_000_000_123)
        #expect(status.startedAtMs == 1_799_000_000_000)
        var info = stat()
        #expect(stat(file.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o644)
        #expect(stat(directory + "/run/headroom", &info) == 0 && info.st_mode & 0o777 == 0o755)
        #expect(!FileManager.default.fileExists(atPath: directory + "/run/headroom/.status.tmp"))

        try file.write(level: .calm, sinceMs: 1_800_000_100_000, startedAtMs: 1_799_000_000_000)
        if case .running(let again) = try file.read() { #expect(again.level == .calm) } else { Issue.record("not running") }

        try file.remove()
        try file.remove()
        guard case .notRunning(let reason) = try file.read() else { Issue.record("still running"); return }
        #expect(reason.hasPrefix("no status file \(file.path)"))
    }

    @Test("a pid that has exited: stale")
    func exitedProcess() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-status-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = fork()
        if child == 0 { _exit(0) }
        var status: Int32 = 0
        #expect(waitpid(child, &status, 0) == child)
        let file = DaemonStatusFile(path: directory + "/status")
        try file.write(level: .calm, sinceMs: 1, startedAtMs: 1, pid: child)
        #expect(try file.read() == .notRunning(reason: "stale status file \(file.path): process \(child) no longer "
            + "exists (the daemon is not running)"))
    }

    @Test("the rendered line parses back; a wrong file is refused with the key")
    func format() throws {
        var buffer: [UInt8] = []
        let status = DaemonStatus(pid: 812, comm: "head\"room", level: .elevated, sinceMs: -5, startedAtMs: 0)
        status.render(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"{"schema":1,"pid":812,"comm":"headroom","level":"elevated","since_ms":-5,"started_at_ms":0}"# + "\n")
        var expected = status
        expected.comm = "headroom"
        #expect(try DaemonStatus.parse(buffer) == expected)
        #expect(throws: DaemonStatusFormatError(reason: "level: 'panic' is not one of calm, elevated, critical")) {
            try DaemonStatus.parse(Array(#"{"schema":1,"pid":1,"comm":"h","level":"panic","since_ms":1,"started_at_ms":1}"#.utf8))
        }
        #expect(throws: DaemonStatusFormatError(reason: "since_ms: missing")) {
            try DaemonStatus.parse(Array(#"{"schema":1,"pid":1,"comm":"h","level":"calm","started_at_ms":1}"#.utf8))
        }
    }
}
