#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Owns `vm.swappiness` while the daemon runs and puts the original value back on every
/// exit path.
///
/// The original is remembered in the state directory as `<boot id> <value>`: a start after a
/// crash in the same boot restores what the crashed run had changed, while a record from an
/// earlier boot is ignored, because the value this boot started with (the platform's sysctl,
/// or one an operator set since) is the one to keep. A record that cannot be read is moved
/// aside (`swappiness.original.bad`) and named in a message, never silently trusted.
public struct SwappinessKeeper: Sendable {
    public let procPath: String
    public let memoryFile: String
    public let original: Int
    /// The value the kernel holds, as far as this keeper wrote or read it.
    public private(set) var current: Int

    /// - Returns: the keeper and the lines to log (a restore after a crash, a record ignored or moved aside).
    public static func take(paths: KernelPaths, stateDirectory: String) throws(KernelFileError) -> (SwappinessKeeper, [String]) {
        let memoryFile = stateDirectory + "/swappiness.original"
        let procPath = paths.swappiness
        let bootId = HostIdentity.bootID(paths: paths)
        let current = try Swappiness.parse(KernelFileReader.read(procPath))
        var notes: [String] = []
        var keeper = SwappinessKeeper(procPath: procPath, memoryFile: memoryFile, original: current, current: current)
        switch try OriginalRecord.read(memoryFile, bootId: bootId) {
        case .sameBoot(let original):
            keeper = SwappinessKeeper(procPath: procPath, memoryFile: memoryFile, original: original, current: current)
            if try keeper.write(original) {
                notes.append("restored vm.swappiness=\(original) (was \(current)), left changed by a previous run "
                    + "in this boot that did not stop cleanly")
            }
            return (keeper, notes)
        case .earlierBoot(let recorded):
            notes.append("ignored \(memoryFile) (\(recorded)) from an earlier boot: keeping this boot's "
                + "vm.swappiness=\(current) as the original")
        case .malformed(let reason):
            let aside = memoryFile + ".bad"
            let moved = rename(memoryFile, aside) == 0
            notes.append("\(memoryFile) is not a swappiness record (\(reason)); "
                + (moved ? "moved aside to \(aside)" : "could not move it aside (\(KernelFileReader.errorText(errno)))")
                + "; keeping the current vm.swappiness=\(current) as the original")
        case .absent:
            break
        }
        do {
            try AtomicFile.write("\(bootId) \(current)\n", to: memoryFile, mode: 0o644, createDirectory: 0o750)
        } catch {
            throw KernelFileError(path: memoryFile, kind: .unreadable(error.code), reason: error.reason)
        }
        return (keeper, notes)
    }

    /// Sets the value. - Returns: whether it was written (false: the kernel holds it already).
    @discardableResult
    public mutating func set(_ value: Int) throws(KernelFileError) -> Bool { try write(value) }

    /// Puts the original back and forgets it. - Returns: whether a write was needed.
    @discardableResult
    public mutating func restore() throws(KernelFileError) -> Bool {
        let written = try write(original)
        unlink(memoryFile)
        return written
    }

    private mutating func write(_ value: Int) throws(KernelFileError) -> Bool {
        guard value != current else { return false }
        try Self.write(value, to: procPath)
        current = value
        return true
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

/// `<state-dir>/swappiness.original`: `<boot id> <value>\n`.
enum OriginalRecord: Equatable {
    case absent
    case sameBoot(Int)
    /// The record's text, for the message.
    case earlierBoot(String)
    case malformed(String)

    static func read(_ path: String, bootId: String) throws(KernelFileError) -> OriginalRecord {
        guard let text = try KernelFileReader.readIfPresent(path) else { return .absent }
        let line = String(decoding: text.bytes.prefix(200), as: UTF8.self)
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let value = Int(fields[1]), Swappiness.range.contains(value),
              fields[0].count == 36 || fields[0] == "unknown" else {
            // The format before boot ids were recorded was the bare value: its boot is unknown.
            if fields.count == 1, let value = Int(fields[0]), Swappiness.range.contains(value) {
                return .earlierBoot("a value of \(value) without a boot id")
            }
            return .malformed("expected '<boot id> <0-200>', found \"\(line.prefix(60))\"")
        }
        return String(fields[0]) == bootId && bootId != "unknown" ? .sameBoot(value) : .earlierBoot("boot \(fields[0])")
    }
}
