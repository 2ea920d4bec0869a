#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Why the status file could not be written, removed or read. Always names the path.
public struct DaemonStatusFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A system call failed (errno).
        case system(Int32)
        /// The file is not a daemon status (see `DaemonStatus`).
        case malformed
    }

    public var path: String
    public var kind: Kind
    public var reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// What the status file says about the daemon.
public enum DaemonState: Equatable, Sendable {
    /// The file names a live process whose comm is the one that wrote it.
    case running(DaemonStatus)
    /// No status file, or a stale one; the sentence says which.
    case notRunning(reason: String)
}

/// The daemon's status file, `/run/headroom/status` (under `--root DIR`: `DIR/run/headroom/status`):
/// one line of JSON (`DaemonStatus`) saying which process the daemon is, its level and since when.
/// `headroom check` and `headroom metrics` read it to know whether the daemon runs.
///
/// The daemon calls `write` at start and whenever the level changes, and `remove` on a clean
/// stop. The file is replaced atomically (temporary file + rename) and is world-readable (0644,
/// whatever the umask): it holds nothing secret and checks run unprivileged. After a crash a
/// reader finds it stale (its pid is gone or names another program). The systemd unit needs `RuntimeDirectory=headroom` (mode 0755) for
/// `/run/headroom` to exist and be writable under `ProtectSystem=strict`; `write` creates the
/// directory when it is missing.
public final class DaemonStatusFile {
    public static let defaultPath = "/run/headroom/status"

    public let path: String
    /// Where `/proc/<pid>/comm` is looked up: `/proc`, or `DIR/proc` under `--root`.
    public let procDirectory: String
    private let directory: String
    /// Reused by every `write` (it runs on level changes only).
    private var buffer: [UInt8] = []
    private var ownComm: String?

    static let fileMode: mode_t = 0o644
    static let directoryMode: mode_t = 0o755

    public init(path: String = DaemonStatusFile.defaultPath, procDirectory: String = "/proc") {
        self.path = path
        self.procDirectory = procDirectory
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { String(path[..<$0]) } ?? "."
        directory = parent.isEmpty ? "/" : parent
        buffer.reserveCapacity(256)
    }

    /// The status file for these kernel paths: `/run/headroom/status` and `/proc` on the live
    /// system, `DIR/run/headroom/status` and `DIR/proc` under `--root DIR`; `path` overrides the file.
    public convenience init(paths: KernelPaths, path: String? = nil) {
        self.init(path: path ?? paths.path(DaemonStatusFile.defaultPath), procDirectory: paths.path("/proc"))
    }

    // MARK: Writing (the daemon)

    /// Replaces the file with this process's status. Call at start and on every level change.
    ///
    /// - Parameters:
    ///   - level: the level now.
    ///   - sinceMs: when that level was entered (Unix ms).
    ///   - startedAtMs: when the daemon started (Unix ms); the same on every call.
    ///   - pid: this process, by default.
    /// - Throws: `DaemonStatusFileError` naming the path and the system's reason (EACCES, EROFS, ...).
    public func write(level: PressureLevel, sinceMs: Int64, startedAtMs: Int64, pid: Int32 = getpid())
        throws(DaemonStatusFileError) {
        if ownComm == nil { ownComm = Self.comm(at: "/proc/self/comm") ?? "headroom" }
        buffer.removeAll(keepingCapacity: true)
        DaemonStatus(pid: pid, comm: ownComm!, level: level, sinceMs: sinceMs, startedAtMs: startedAtMs)
            .render(into: &buffer)

        try makeDirectory()
        do {
            // fileMode whatever the umask (the daemon's UMask=0027): checks run as anyone.
            try AtomicFile.write(String(decoding: buffer, as: UTF8.self), to: path, mode: Self.fileMode)
        } catch {
            throw failure(error.step, error.code)
        }
    }

    /// Removes the file: call on a clean stop. A file that is already gone is fine.
    /// - Throws: `DaemonStatusFileError` for any other failure.
    public func remove() throws(DaemonStatusFileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("cannot remove it", errno) }
    }

    private func makeDirectory() throws(DaemonStatusFileError) {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", access(current, F_OK) != 0 {
            missing.append(current)
            guard let slash = current.lastIndex(of: "/") else { break }
            current = String(current[..<slash])
        }
        for parent in missing.reversed() {
            guard mkdir(parent, Self.directoryMode) == 0 || errno == EEXIST else {
                throw failure("cannot create the directory \(parent)", errno)
            }
            guard chmod(parent, Self.directoryMode) == 0 else {
                throw failure("cannot set the mode of \(parent)", errno)
            }
        }
    }

    // MARK: Reading (checks and metrics)

    /// Whether the daemon runs, by its status file. Absent: not running (or stopped cleanly).
    /// Stale: the pid is gone, or `/proc/<pid>/comm` is not the program that wrote the file.
    /// On the live system, when `/proc/<pid>` cannot be seen (`hidepid=`) but the pid exists,
    /// the daemon counts as running.
    ///
    /// - Throws: `DaemonStatusFileError` when the file exists but cannot be read (`.system`) or
    ///   is not a status file (`.malformed`).
    public func read() throws(DaemonStatusFileError) -> DaemonState {
        let text: KernelText?
        do {
            text = try KernelFileReader.readIfPresent(path)
        } catch {
            let code: Int32 = if case .unreadable(let code) = error.kind { code } else { EIO }
            throw failure("cannot be read: \(KernelFileReader.errorText(code))", code, describe: false)
        }
        guard let text else {
            return .notRunning(reason: "no status file \(path): the daemon is not running")
        }
        let status: DaemonStatus
        do {
            status = try DaemonStatus.parse(text.bytes)
        } catch {
            throw DaemonStatusFileError(path: path, kind: .malformed, reason: "not a daemon status file: \(error.reason)")
        }
        let commPath = "\(procDirectory)/\(status.pid)/comm"
        let expected = status.comm.isEmpty ? "headroom" : status.comm
        if let comm = Self.comm(at: commPath) {
            if comm == expected { return .running(status) }
            return .notRunning(reason: "stale status file \(path): process \(status.pid) is '\(comm)', "
                + "not '\(expected)' (the daemon is not running)")
        }
        if procDirectory == "/proc", kill(status.pid, 0) == 0 || errno == EPERM {
            // The process exists but /proc hides it from this user (hidepid=): trust the file.
            return .running(status)
        }
        return .notRunning(reason: "stale status file \(path): process \(status.pid) no longer exists "
            + "(the daemon is not running)")
    }

    /// A process's name from its `comm` file, without the newline; nil when it cannot be read.
    private static func comm(at path: String) -> String? {
        guard let text = try? KernelFileReader.read(path) else { return nil }
        var bytes = text.bytes[...]
        while let last = bytes.last, last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func failure(_ what: String, _ code: Int32, describe: Bool = true) -> DaemonStatusFileError {
        DaemonStatusFileError(path: path, kind: .system(code),
                              reason: describe ? "\(what): \(KernelFileReader.errorText(code))" : what)
    }
}
