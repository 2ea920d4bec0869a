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
            do {
                try AtomicFile.write("\(original)\n", to: memoryFile, mode: 0o644, createDirectory: 0o750)
            } catch {
                throw KernelFileError(path: memoryFile, kind: .unreadable(error.code), reason: error.reason)
            }
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
