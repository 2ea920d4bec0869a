#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why an atomic write failed: the step ("cannot create the temporary file ...") and errno.
public struct AtomicWriteError: Error, Equatable, Sendable {
    public var code: Int32
    public var step: String

    public var reason: String { "\(step): \(String(cString: strerror(code)))" }
}

/// Write-to-temp, fsync, rename, fsync the directory: a reader (or the next boot) sees the
/// old file or the new one, never half of one. The temporary file is hidden
/// (`.NAME.<random>.tmp`) in the same directory, so listings of `*.json` never see it; it is
/// created with O_EXCL under a random name, so a file or symlink planted at a predictable
/// name is never opened, and two writers of the same file never share a temporary file.
public enum AtomicFile {
    /// - Parameters:
    ///   - mode: the file's mode, set with fchmod so that the process umask cannot narrow it.
    ///   - createDirectory: create the parent directory with this mode when it is missing.
    public static func write(_ text: String, to path: String, mode: mode_t,
                             createDirectory: mode_t? = nil) throws(AtomicWriteError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let prefix = (slash == nil ? "" : directory + (directory == "/" ? "" : "/")) + "." + name + "."
        if let directoryMode = createDirectory, mkdir(directory, directoryMode) != 0 && errno != EEXIST {
            throw AtomicWriteError(code: errno, step: "cannot create the directory \(directory)")
        }
        let (fd, temporary) = try createTemporary(prefix: prefix, mode: mode)
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        guard fchmod(fd, mode) == 0 else {
            throw AtomicWriteError(code: errno, step: "cannot set the mode of \(temporary)")
        }
        var remaining = Array(text.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw AtomicWriteError(code: errno, step: "cannot write \(temporary)")
            }
            remaining = remaining.dropFirst(written)
        }
        guard fsync(fd) == 0 else { throw AtomicWriteError(code: errno, step: "cannot fsync \(temporary)") }
        closed = true
        guard close(fd) == 0 else { throw AtomicWriteError(code: errno, step: "cannot close \(temporary)") }
        guard rename(temporary, path) == 0 else {
            throw AtomicWriteError(code: errno, step: "cannot rename \(temporary) over it")
        }
        renamed = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw AtomicWriteError(code: errno, step: "cannot open \(directory) to fsync it") }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw AtomicWriteError(code: errno, step: "cannot fsync \(directory)") }
    }

    /// Creates `PREFIX<16 random hex digits>.tmp` with O_EXCL (a few tries on a name clash).
    static func createTemporary(prefix: String, mode: mode_t) throws(AtomicWriteError) -> (Int32, String) {
        var attempt = 0
        while true {
            let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
            let temporary = prefix + String(repeating: "0", count: 16 - suffix.count) + suffix + ".tmp"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 { return (fd, temporary) }
            attempt += 1
            guard errno == EEXIST, attempt < 8 else {
                throw AtomicWriteError(code: errno, step: "cannot create the temporary file \(temporary)")
            }
        }
    }
}
