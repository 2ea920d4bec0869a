#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why the state directory cannot be used. Names the path and what to do.
public struct StateDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "state directory \(path): \(reason)" }
}

/// The daemon's state directory (`/var/lib/headroom`: incidents, the original swappiness,
/// the delivery state), checked at start because what it holds is trusted: a restored
/// swappiness, incidents that become tickets.
///
/// - Missing: created with mode 0750.
/// - Owned by another user than the daemon's: refused. Whoever owns it can replace the files,
///   and chown-ing it back would hide that from the operator.
/// - Not a directory (or a symlink to elsewhere owned by someone else): refused, as above.
/// - Writable by group or others: fixed (the write bits removed) and said once.
public enum StateDirectory {
    /// - Returns: a line to log when the mode was fixed.
    /// - Throws: `StateDirectoryError` when it cannot be used safely.
    public static func prepare(_ path: String, owner: uid_t = geteuid()) throws(StateDirectoryError) -> String? {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw failure(path, "cannot be examined", errno) }
            guard mkdir(path, 0o750) == 0 || errno == EEXIST else { throw failure(path, "cannot be created", errno) }
            guard lstat(path, &info) == 0 else { throw failure(path, "cannot be examined", errno) }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            let kind = (info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a directory"
            throw StateDirectoryError(path: path, reason: "is \(kind); expected a directory owned by uid \(owner)")
        }
        guard info.st_uid == owner else {
            throw StateDirectoryError(path: path, reason: "is owned by uid \(info.st_uid), not by uid \(owner) that "
                + "runs the daemon; another user could replace its files: chown it (or remove it) and start again")
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o022 != 0 else { return nil }
        let fixed = mode & ~0o022
        guard chmod(path, fixed) == 0 else { throw failure(path, "is writable by others and cannot be fixed", errno) }
        return "state directory \(path) was writable by group or others (mode \(octal(mode))); set to \(octal(fixed))"
    }

    private static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func failure(_ path: String, _ what: String, _ code: Int32) -> StateDirectoryError {
        StateDirectoryError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
    }
}
