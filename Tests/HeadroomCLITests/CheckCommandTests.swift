#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import HeadroomCore
import HeadroomLinux
import Testing

/// The unprivileged group that owns the incident directory in these tests (as StateDirectory's
/// group would on a host); the check runs as nobody with or without it.
private let incidentGroup: gid_t = 4711

/// A config under which the guest-3gib fixture is within budget in every category and unit (its
/// telegraf uses 301 MiB), so that the incident cases do not depend on the budget rules.
private let roomyConfig = """
    {"budget": {"categories": {"management": {"reserve": "200MiB"}, "cache": {"target": "100MiB"},
      "monitoring": {"units": [{"match": "telegraf", "expected": "320MiB"}, {"match": "sensu-client", "expected": "256MiB"},
        {"match": "filebeat*", "expected": "100MiB"}, {"match": "systemd-journald", "expected": "100MiB"},
        {"match": "fail2ban", "expected": "100MiB"}]}}}}
    """

/// A fixture root for `headroom check`: the guest-3gib files, a state directory whose incident
/// directory is root:incidentGroup 0750 with files 0640 as the daemon leaves them, and optionally
/// a daemon status file naming a process whose `<root>/proc/<pid>/comm` is "headroom".
private struct CheckHost {
    let scratch: ScratchDirectory
    let root: String
    let state: String
    let config: String
    var incidentDirectory: String { state + "/incidents" }

    init() throws {
        scratch = try ScratchDirectory()
        root = try scratch.copy(fixture: "guest-3gib")
        state = scratch.path + "/state"
        config = try scratch.write("config.json", roomyConfig)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        for directory in [scratch.path, state] { chmod(directory, 0o755) }
        // The fixture copy keeps the checkout's modes; the check's user must be able to read it.
        _ = try runProcess("/bin/chmod", ["-R", "a+rX", root])
    }

    /// Files `incident` with the real store, then hands the directory and files to the group.
    func file(_ incident: Incident) throws {
        let store = IncidentStore(directory: incidentDirectory)
        let path = try store.write(incident, host: "vm01", bootId: "boot")
        #expect(chown(incidentDirectory, 0, incidentGroup) == 0)
        #expect(chown(path, 0, incidentGroup) == 0)
    }

    func daemonRunning(level: PressureLevel = .calm, pid: Int32 = 4242) throws {
        try DaemonStatusFile(paths: KernelPaths(root: root))
            .write(level: level, sinceMs: Clock.wallClockMs() - 60_000, startedAtMs: Clock.wallClockMs() - 3_600_000,
                   pid: pid)
        // The status file keeps the comm of the process that wrote it (this test runner, where the
        // daemon's is "headroom"); the fixture's /proc says that process runs.
        let status = try String(contentsOfFile: root + "/run/headroom/status", encoding: .utf8)
        let comm = try #require(try JSONValue.parse(Array(status.utf8))["comm"]?.string)
        _ = try scratch.write("guest-3gib/proc/\(pid)/comm", comm + "\n")
    }

    func check(_ extra: [String] = [], groups: [gid_t] = [incidentGroup]) throws -> ProcessResult {
        try headroomAsNobody(["check", "--root", root, "--config", config, "--state-dir", state] + extra,
                             groups: groups, scratch: scratch)
    }
}

private func minutesAgo(_ minutes: Int64) -> Int64 { Clock.wallClockMs() - minutes * 60_000 }

private func firstLine(_ text: String) -> String { String(text.prefix { $0 != "\n" }) }

@Suite("headroom check, run as an unprivileged user", .serialized)
struct CheckCommandTests {
    @Test("OK (0): only an old incident, budget within, daemon running; files read through the group")
    func ok() throws {
        let host = try CheckHost()
        try host.file(incident("1700000000-1", startedAtMs: minutesAgo(3 * 24 * 60)))
        try host.daemonRunning()
        let result = try host.check()
        #expect(result.code == 0, "\(result.stdout)\(result.stderr)")
        #expect(firstLine(result.stdout).hasPrefix("OK: "))
        #expect(result.stdout.contains("no incident in the last 60 min (1 kept)"))
        #expect(result.stdout.contains("daemon running (pid 4242), level calm"))
        #expect(firstLine(result.stdout).contains("| fresh_incidents=0;1;;0"))
    }

    @Test("WARNING (1): a fresh incident that recovered")
    func warning() throws {
        let host = try CheckHost()
        try host.file(incident("1800000000-1", startedAtMs: minutesAgo(5), outcome: .recovered))
        try host.daemonRunning(level: .elevated)
        let result = try host.check()
        #expect(result.code == 1, "\(result.stdout)\(result.stderr)")
        #expect(firstLine(result.stdout).hasPrefix(
            "WARNING: incident 1800000000-1: restart of leaky.service, 5 min ago, outcome recovered"))
        // Outside a shorter window it is not fresh.
        let narrow = try host.check(["--fresh-minutes", "2"])
        #expect(narrow.code == 0, "\(narrow.stdout)")
    }

    @Test("an incident dated ahead of the clock (set back since): not fresh, and the output says so")
    func datedInTheFuture() throws {
        let host = try CheckHost()
        try host.file(incident("1900000000-1", startedAtMs: minutesAgo(-24 * 60), outcome: .recovered))
        try host.daemonRunning()
        let result = try host.check()
        #expect(result.code == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("1 incident(s) dated more than 60 min ahead of this clock"), "\(result.stdout)")
        #expect(result.stdout.contains("1900000000-1"))
    }

    @Test("CRITICAL (2): a fresh kernel OOM kill, and a failed restart")
    func critical() throws {
        let host = try CheckHost()
        var kill = incident("1800000000-2", startedAtMs: minutesAgo(10), culprit: nil, outcome: .kernelOomKill)
        kill.kind = .kernelOomKill
        kill.kernelOomKillsDuring = 1
        try host.file(kill)
        try host.file(incident("1800000000-3", startedAtMs: minutesAgo(20), outcome: .failed))
        try host.file(incident("1800000000-4", startedAtMs: minutesAgo(30), outcome: .recovered))
        try host.daemonRunning(level: .critical)
        let result = try host.check()
        #expect(result.code == 2, "\(result.stdout)\(result.stderr)")
        let first = firstLine(result.stdout)
        #expect(first.hasPrefix("CRITICAL: incident 1800000000-2: kernel OOM kill, 10 min ago, outcome kernel_oom_kill; "
            + "incident 1800000000-3: restart of leaky.service, 20 min ago, outcome failed (and 1 more below)"))
        #expect(first.contains("fresh_critical_incidents=2;;1;0"))
        #expect(result.stdout.contains("\nWARNING: incident 1800000000-4"))
    }

    @Test("UNKNOWN (3): the incident directory cannot be read without its group, and the output names it")
    func unknown() throws {
        let host = try CheckHost()
        try host.file(incident("1800000000-5", startedAtMs: minutesAgo(5), outcome: .kernelOomKill))
        try host.daemonRunning()
        let result = try host.check(groups: [])
        #expect(result.code == 3, "\(result.stdout)\(result.stderr)")
        #expect(firstLine(result.stdout).hasPrefix(
            "UNKNOWN: cannot read incidents: \(host.incidentDirectory): cannot be listed: Permission denied"))

        // With the group the directory lists, but a file the group cannot read is named too.
        let store = IncidentStore(directory: host.incidentDirectory)
        #expect(chown(store.path(id: "1800000000-5"), 0, 0) == 0)
        let file = try host.check()
        #expect(file.code == 3, "\(file.stdout)")
        #expect(firstLine(file.stdout).hasPrefix(
            "UNKNOWN: cannot read incidents: \(store.path(id: "1800000000-5")): cannot be read: Permission denied"))
    }
}

@Suite("headroom check, in-process cases")
struct CheckCommandCaseTests {
    @Test("WARNING: a category over budget while the daemon says memory is short; tolerance, --no-budget silence it")
    func overBudget() throws {
        let host = try CheckHost()
        try host.daemonRunning(level: .elevated)
        let config = try host.scratch.write("tight.json", """
            {"budget": {"categories": {"management": {"reserve": "100MiB"}, "cache": {"target": "100MiB"}}}}
            """)
        let args = ["check", "--root", host.root, "--config", config, "--state-dir", host.state]
        let over = headroom(args)
        #expect(over.code == 1, "\(over.stdout)")
        // The capture's telegraf is over its 256 MiB too (on purpose); both are named with their figures.
        #expect(firstLine(over.stdout).hasPrefix("WARNING: telegraf.service (monitoring) over its budget: 301 MiB of "
            + "256 MiB while memory is short (the daemon's level is elevated); management over its budget: 151 MiB "
            + "of 100 MiB while memory is short (the daemon's level is elevated) |"))
        #expect(headroom(args + ["--budget-tolerance", "64MiB"]).code == 0)
        #expect(headroom(args + ["--no-budget"]).code == 0)
    }

    @Test("WARNING: no status file, or a stale one (process gone, or another program); --daemon-optional")
    func daemonNotRunning() throws {
        let host = try CheckHost()
        let args = ["check", "--root", host.root, "--config", host.config, "--state-dir", host.state]
        // Under --root (a capture) a missing status file is a note: captures rarely hold /run.
        let absent = headroom(args)
        #expect(absent.code == 0, "\(absent.stdout)")
        #expect(absent.stdout.contains("no status file \(host.root)/run/headroom/status"))
        let live = headroom(["check", "--config", host.config, "--state-dir", host.state, "--no-budget",
                             "--status-file", host.root + "/run/headroom/status"])
        #expect(live.code == 1, "\(live.stdout)")
        #expect(headroom(args + ["--daemon-optional"]).code == 0)

        try host.daemonRunning(pid: 5151)
        #expect(headroom(args).code == 0)
        _ = try host.scratch.write("guest-3gib/proc/5151/comm", "bash\n")
        let other = headroom(args)
        #expect(other.code == 1)
        #expect(other.stdout.contains("process 5151 is 'bash'"))
        try FileManager.default.removeItem(atPath: host.root + "/proc/5151")
        #expect(headroom(args).stdout.contains("process 5151 no longer exists"))
    }

    @Test("UNKNOWN: a kernel file missing, and a status file that is not one, are named")
    func unreadableInputs() throws {
        let host = try CheckHost()
        try host.daemonRunning()
        let args = ["check", "--root", host.root, "--config", host.config, "--state-dir", host.state]
        try FileManager.default.removeItem(atPath: host.root + "/proc/meminfo")
        let missing = headroom(args)
        #expect(missing.code == 3)
        #expect(firstLine(missing.stdout).contains("\(host.root)/proc/meminfo"))

        _ = try host.scratch.write("guest-3gib/run/headroom/status", "pid=12\n")
        let garbled = headroom(args + ["--no-budget"])
        #expect(garbled.code == 3)
        #expect(firstLine(garbled.stdout).hasPrefix(
            "UNKNOWN: cannot read the daemon's status: \(host.root)/run/headroom/status: not a daemon status file"))
    }
}
