#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Owns `vm.swappiness` while the daemon runs and puts the original value back on every
/// exit path. The original is remembered in the state directory, so a start after a
/// crash restores what the crashed run had changed.
public struct SwappinessKeeper: Sendable {
    public let procPath: String
    public let memoryFile: String
    public private(set) var original: Int

    /// - Returns: the keeper and a log line when a previous run's value was restored.
    public static func take(paths: KernelPaths, stateDirectory: String) throws(KernelFileError) -> (SwappinessKeeper, String?) {
        let memoryFile = stateDirectory + "/swappiness.original"
        let procPath = paths.swappiness
        var note: String?
        let original: Int
        if let remembered = try KernelFileReader.readIfPresent(memoryFile) {
            original = try Swappiness.parse(remembered)
            try write(original, to: procPath)
            note = "restored vm.swappiness=\(original) left changed by a previous run that did not stop cleanly"
        } else {
            original = try Swappiness.parse(KernelFileReader.read(procPath))
            try AtomicFile.write("\(original)\n", to: memoryFile, mode: 0o644)
        }
        return (SwappinessKeeper(procPath: procPath, memoryFile: memoryFile, original: original), note)
    }

    public func set(_ value: Int) throws(KernelFileError) { try Self.write(value, to: procPath) }

    /// Puts the original back and forgets it.
    public func restore() throws(KernelFileError) {
        try Self.write(original, to: procPath)
        unlink(memoryFile)
    }

    static func write(_ value: Int, to path: String) throws(KernelFileError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw KernelFileReader.failure(path, errno) }
        defer { close(fd) }
        let text = "\(value)\n"
        let written = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        if written < 0 { throw KernelFileReader.failure(path, errno) }
    }
}

/// Write-to-temp, fsync, rename: a reader sees the old file or the new one, never half.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t) throws(KernelFileError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if mkdir(directory, 0o750) != 0 && errno != EEXIST { throw KernelFileReader.failure(directory, errno) }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw KernelFileReader.failure(temporary, errno) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                unlink(temporary)
                throw KernelFileReader.failure(temporary, code)
            }
            bytes = bytes.dropFirst(written)
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw KernelFileReader.failure(temporary, code)
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw KernelFileReader.failure(path, code)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
