#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
@testable import HeadroomLinux
import Testing

/// journald stopped under the daemon (issue 13): its stderr stream is closed for good, and the
/// journal itself is unreachable until journald is started again.
@Suite("Daemon log when journald goes away")
struct DaemonLogStreamTests {
    /// A fake journal: refuses while `down`, records what it took.
    final class Journal {
        var down = false
        var taken: [[String]] = []
        func send(_ fields: [String]) -> Int32 {
            if down { return -ECONNREFUSED }
            taken.append(fields)
            return 0
        }
        var messages: [String] { taken.compactMap { $0.first { $0.hasPrefix("MESSAGE=") }.map { String($0.dropFirst(8)) } } }
    }

    /// A connected socket pair like journald's stdout stream: (the daemon's end, journald's end).
    static func streamPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    static func received(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    @Test("lines go to the stream with their priority while it is open")
    func stream() throws {
        let (daemon, journald) = try Self.streamPair()
        defer { close(daemon); close(journald) }
        let journal = Journal()
        let log = DaemonLogStream(descriptor: daemon, journal: journal.send, now: { 0 })
        log.write(priority: 4, "memory level calm -> elevated")
        #expect(Self.received(journald) == "<4>memory level calm -> elevated\n")
        #expect(journal.taken.isEmpty)
    }

    @Test("a closed stream neither kills the process (SIGPIPE) nor loses the line: it goes to the journal")
    func closedStream() throws {
        let (daemon, journald) = try Self.streamPair()
        defer { close(daemon) }
        close(journald)
        let journal = Journal()
        let log = DaemonLogStream(descriptor: daemon, journal: journal.send, now: { 0 })
        log.write(priority: 3, "incident 1 not written")
        log.write(priority: 6, "vm.swappiness set to 1")
        #expect(log.streamBroken)
        #expect(journal.messages.count == 3)
        #expect(journal.messages[0].hasPrefix("the log stream to journald failed ("), "\(journal.messages)")
        #expect(journal.messages[1...] == ["incident 1 not written", "vm.swappiness set to 1"])
        #expect(journal.taken[1].contains("PRIORITY=3") && journal.taken[1].contains("SYSLOG_IDENTIFIER=headroom"))
    }

    @Test("while journald is down, lines are held, then written in order saying when; beyond the limit, counted")
    func journaldDown() throws {
        let (daemon, journald) = try Self.streamPair()
        defer { close(daemon) }
        close(journald)
        let journal = Journal()
        journal.down = true
        var nowMs: Int64 = 1_795_723_568_000
        let log = DaemonLogStream(descriptor: daemon, journal: journal.send, now: { nowMs })
        for index in 0..<(DaemonLogStream.heldLimit + 5) { log.write(priority: 6, "line \(index)") }
        #expect(journal.taken.isEmpty)
        #expect(log.held.count == DaemonLogStream.heldLimit)
        nowMs += 30_000
        log.retryHeld()
        #expect(journal.taken.isEmpty, "still down")
        journal.down = false
        log.retryHeld()
        #expect(log.held.isEmpty)
        let messages = journal.messages
        #expect(messages.count == DaemonLogStream.heldLimit + 1)
        // The oldest 6 (the broken-stream note and lines 0-4) were dropped to keep the limit.
        #expect(messages.first == "line 5 (logged at 2026-11-26T20:06:08.000Z, held while journald was unreachable)",
                "\(messages.prefix(2))")
        #expect(messages.last == "6 log lines dropped while journald was unreachable")
    }
}
