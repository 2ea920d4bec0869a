import HeadroomCore
import Testing

@Suite("ProcessSnapshot: the evidence row")
struct ProcessSnapshotTests {
    @Test("stat, status and cmdline join into one row; arguments are joined by spaces")
    func joined() throws {
        let stat = try ProcessStat.parse(Fixtures.text("processes/proc/18699/stat"))
        let status = try ProcessStatus.parse(Fixtures.text("processes/proc/18699/status"))
        let commandLine = Array(try Fixtures.text("processes/proc/18699/cmdline").bytes)
        let snapshot = ProcessSnapshot(stat: stat, status: status, commandLine: commandLine)
        #expect(snapshot.pid == 18699 && snapshot.startTicks == 120074)
        // A 300-character `python3 -c SCRIPT --serve ...`: newlines of the script shown as '?', cut at the limit.
        #expect(snapshot.command.hasPrefix("/root/.pyenv/versions/3.11.7/bin/python3 -c ?import time,mmap?a=bytearray"))
        #expect(snapshot.command.count == ProcessSnapshot.commandLimit && snapshot.command.hasSuffix("…"))
        #expect(snapshot.shmemBytes == 6280 * 1024 && snapshot.heldBytes == 69052 * 1024)
        let fields: [String: JSONValue] = [
            "pid": .integer(18699), "command": .string(snapshot.command), "rss_bytes": .integer(70_709_248),
            "anon_bytes": .integer(57_380_864), "shmem_bytes": .integer(6_430_720), "swap_bytes": .integer(0),
        ]
        let expected = JSONValue.object(fields)
        #expect(snapshot.jsonValue == expected)
    }

    @Test("no cmdline (kernel thread, zombie): the name in brackets")
    func noCommandLine() {
        #expect(ProcessSnapshot.command(commandLine: [], name: "kthreadd") == "[kthreadd]")
        #expect(ProcessSnapshot.command(commandLine: [0, 0], name: "x") == "[x]")
    }

    @Test("control characters cannot forge a line; long commands are cut to the limit")
    func sanitisedAndTruncated() {
        let forged = Array("evil\nFAKE: line\u{1b}[0m".utf8) + [0]
        #expect(ProcessSnapshot.command(commandLine: forged, name: "x") == "evil?FAKE: line?[0m")
        let long = Array(String(repeating: "a", count: 500).utf8)
        let command = ProcessSnapshot.command(commandLine: long, name: "x")
        #expect(command.count == ProcessSnapshot.commandLimit && command.hasSuffix("…"))
    }

    @Test("largest first by resident plus swap; equal ones by pid")
    func ordering() {
        let rows = [
            ProcessSnapshot(pid: 5, startTicks: 1, command: "a", residentBytes: 10, swapBytes: 0),
            ProcessSnapshot(pid: 3, startTicks: 1, command: "b", residentBytes: 4, swapBytes: 20),
            ProcessSnapshot(pid: 9, startTicks: 1, command: "c", residentBytes: 10, swapBytes: 0),
        ]
        #expect(ProcessSnapshot.largestFirst(rows).map(\.pid) == [3, 5, 9])
    }
}
