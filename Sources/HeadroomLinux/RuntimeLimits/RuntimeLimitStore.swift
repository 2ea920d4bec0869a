#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// `STATE_DIR/runtime-limits.json`, the record of the runtime limits Headroom set. The daemon
/// and `headroom release` both change it, so every change is a read-modify-write under an
/// exclusive lock (`.runtime-limits.lock`), and every write goes through `AtomicFile`.
public struct RuntimeLimitStore: Sendable {
    public let path: String
    let lockPath: String

    public static let fileName = "runtime-limits.json"

    public init(stateDirectory: String) {
        var directory = stateDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        path = directory + "/" + Self.fileName
        lockPath = directory + "/.runtime-limits.lock"
    }

    /// The record; empty when the file does not exist.
    public func load() throws(RuntimeLimitStoreError) -> RuntimeLimitRecord {
        let text: KernelText?
        do { text = try KernelFileReader.readIfPresent(path) } catch { throw .unreadable(error.description) }
        guard let text else { return RuntimeLimitRecord() }
        do {
            return try RuntimeLimitRecord.parse(Array(text.bytes[..<text.count]), path: path)
        } catch { throw .malformed(error) }
    }

    /// Loads, lets `body` change the record, and writes it back when it changed, holding the lock.
    @discardableResult
    public func update<Result>(_ body: (inout RuntimeLimitRecord) -> Result) throws(RuntimeLimitStoreError) -> Result {
        let lock = try acquireLock()
        defer { close(lock) }
        var record = try load()
        let before = record
        let result = body(&record)
        if record != before { try save(record) }
        return result
    }

    func save(_ record: RuntimeLimitRecord) throws(RuntimeLimitStoreError) {
        do {
            try AtomicFile.write(record.jsonValue.rendered() + "\n", to: path, mode: 0o644, createDirectory: 0o750)
        } catch { throw .unwritable(error.reason) }
    }

    private func acquireLock() throws(RuntimeLimitStoreError) -> Int32 {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty && mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw .unwritable("cannot create the directory \(directory): \(String(cString: strerror(errno)))")
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .unwritable("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unwritable("cannot lock \(lockPath): \(reason)")
        }
        return fd
    }
}

/// The record of runtime limits could not be read or written.
public enum RuntimeLimitStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case malformed(RuntimeLimitRecordError)
    case unwritable(String)

    public var description: String {
        switch self {
        case .unreadable(let reason): "cannot read the record of runtime limits: \(reason)"
        case .malformed(let error): "the record of runtime limits is damaged: \(error) (fix or remove it; "
            + "`systemctl show -p MemoryHigh -p MemoryMax UNIT` shows what is set)"
        case .unwritable(let reason): "cannot write the record of runtime limits: \(reason)"
        }
    }
}
