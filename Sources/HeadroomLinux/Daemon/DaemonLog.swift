#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The daemon's own log lines, on stderr with a `<N>` syslog priority prefix: journald
/// (SyslogLevelPrefix=yes, the default) stores them with that priority; in a terminal
/// they stay readable. When that stream breaks (journald stopped), see `DaemonLogStream`.
public enum DaemonLog {
    /// The daemon is one thread (the event loop): nothing writes to it concurrently.
    nonisolated(unsafe) static var stream = DaemonLogStream(descriptor: STDERR_FILENO, journal: SystemdJournal.send,
                                                            now: Clock.wallClockMs)

    public static func write(_ level: LogLevel, _ message: String) {
        stream.write(priority: priority(level), message)
    }

    /// Lines held while journald was unreachable are written as soon as it takes them (each tick).
    static func retryHeld() { stream.retryHeld() }

    static func priority(_ level: LogLevel) -> Int {
        switch level {
        case .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        }
    }
}

/// Where log lines go: the stream (stderr) while it works; once a write to it fails (journald
/// was stopped: the stream is closed for good, a journald started again never gets it back),
/// straight to the journal with `sd_journal_sendv`, which `journalctl -u headroom` shows the same
/// way. Lines the journal does not take either (journald still down) are held, at most
/// `heldLimit`, and written first when it takes one again (saying when they were logged); the
/// count of any dropped is logged then.
///
/// The stream is written with `send(MSG_NOSIGNAL)` where it is a socket, so a closed journald
/// stream is an error to handle here, never a SIGPIPE that kills the supervisor.
final class DaemonLogStream {
    typealias JournalSend = ([String]) -> Int32

    static let heldLimit = 200

    let descriptor: Int32
    let journal: JournalSend
    let now: () -> Int64
    private(set) var streamBroken = false
    private(set) var held: [(priority: Int, message: String, atMs: Int64)] = []
    private(set) var dropped = 0

    init(descriptor: Int32, journal: @escaping JournalSend, now: @escaping () -> Int64) {
        self.descriptor = descriptor
        self.journal = journal
        self.now = now
    }

    func retryHeld() {
        if !held.isEmpty { flush() }
    }

    func write(priority: Int, _ message: String) {
        if !streamBroken {
            let error = writeStream("<\(priority)>\(message)\n")
            guard error != 0 else { return }
            streamBroken = true
            hold(5, "the log stream to journald failed (\(String(cString: strerror(error)))): "
                + "logging straight to the journal from now on")
        }
        hold(priority, message)
        flush()
    }

    /// - Returns: 0, or the errno of a failed write.
    private func writeStream(_ line: String) -> Int32 {
        line.withCString { text in
            let length = strlen(text)
            var written = 0
            while written < length {
                var count = send(descriptor, text + written, length - written, Int32(MSG_NOSIGNAL))
                if count < 0 && errno == ENOTSOCK { count = Glibc.write(descriptor, text + written, length - written) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return 0
        }
    }

    private func hold(_ priority: Int, _ message: String) {
        if held.count == Self.heldLimit {
            held.removeFirst()
            dropped += 1
        }
        held.append((priority, message, now()))
    }

    private func flush() {
        while let line = held.first {
            // A second or more later: the journal's timestamp is not when it happened.
            let late = now() - line.atMs >= 1000 ? " (logged at \(RFC3339.utc(milliseconds: line.atMs)), held "
                + "while journald was unreachable)" : ""
            guard journal(Self.fields(line.priority, line.message + late)) >= 0 else { return }
            held.removeFirst()
        }
        if dropped > 0, journal(Self.fields(4, "\(dropped) log lines dropped while journald was unreachable")) >= 0 {
            dropped = 0
        }
    }

    static func fields(_ priority: Int, _ message: String) -> [String] {
        ["MESSAGE=\(message)", "PRIORITY=\(priority)", "SYSLOG_IDENTIFIER=headroom"]
    }
}
