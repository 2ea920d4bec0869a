#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore
import HeadroomLinux

/// A delivery state file that could not be written or the directory that could not be used.
public struct TicketStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

/// The delivery state, one small JSON file per incident in `<state-dir>/tickets`:
/// `<id>.queued` (seen, not delivered: attempts and next attempt), `<id>.delivered`,
/// `<id>.lost`. Every file is written atomically (temporary file, fsync, rename, directory
/// fsync), so after a crash or power loss each is the old or the new document.
public struct TicketStateStore: Sendable {
    public let directory: String

    public static let queuedSuffix = ".queued"
    public static let deliveredSuffix = ".delivered"
    public static let lostSuffix = ".lost"
    static let directoryMode: mode_t = 0o750
    static let fileMode: mode_t = 0o640

    public init(directory: String) {
        self.directory = directory.trimmingTrailingSlashes
    }

    /// The tickets directory of a state directory.
    public init(stateDirectory: String) {
        self.init(directory: stateDirectory.trimmingTrailingSlashes + "/tickets")
    }

    public func path(id: String, suffix: String) -> String { directory + "/" + id + suffix }

    /// What the directory holds.
    public struct Contents: Sendable {
        public var queued: [String: QueuedRecord] = [:]
        public var delivered: Set<String> = []
        public var lost: Set<String> = []
        /// Files that could not be read; their incidents are treated as seen for the first time.
        public var problems: [String] = []
    }

    /// Creates the directory (and its parents) if needed and takes an exclusive lock on
    /// `.lock` in it, so two runs never send the same incident at once.
    /// - Returns: the lock, held until it is released (deinit), e.g. at the end of a run; a
    ///   lock held for the whole process would make a second run in it wait for ever.
    public func prepareAndLock() throws(TicketStoreError) -> TicketStateLock {
        try makeDirectory(directory)
        let lockPath = directory + "/.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, TicketStateStore.fileMode)
        guard fd >= 0 else { throw failure(lockPath, "cannot open the lock file", errno) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw failure(lockPath, "cannot lock", code)
        }
        return TicketStateLock(fd: fd)
    }

    public func load() throws(TicketStoreError) -> Contents {
        var contents = Contents()
        let names: [String]
        do {
            names = try KernelFileReader.listFiles(in: directory)
        } catch where error.kind == .missing {
            return contents
        } catch {
            throw TicketStoreError(path: directory, reason: error.reason)
        }
        for name in names where !name.hasPrefix(".") {
            if let id = Self.id(of: name, suffix: Self.deliveredSuffix) {
                contents.delivered.insert(id)
            } else if let id = Self.id(of: name, suffix: Self.lostSuffix) {
                contents.lost.insert(id)
            } else if let id = Self.id(of: name, suffix: Self.queuedSuffix) {
                let file = directory + "/" + name
                do {
                    let text = try KernelFileReader.read(file)
                    if let record = QueuedRecord(json: try JSONValue.parse(text.bytes)), record.id == id {
                        contents.queued[id] = record
                    } else {
                        contents.problems.append("\(file): not a queued-incident record; starting its attempts afresh")
                    }
                } catch {
                    contents.problems.append("\(file): cannot be read (\(error)); starting its attempts afresh")
                }
            }
        }
        return contents
    }

    private static func id(of name: String, suffix: String) -> String? {
        guard name.hasSuffix(suffix) else { return nil }
        let id = String(name.dropLast(suffix.count))
        return IncidentStore.isValid(id: id) ? id : nil
    }

    public func write(_ record: QueuedRecord) throws(TicketStoreError) {
        try writeAtomically(path(id: record.id, suffix: Self.queuedSuffix), record.jsonValue.rendered() + "\n")
    }

    /// Writes the `.delivered` marker, then removes the `.queued` record. A crash between the
    /// two leaves both; the marker wins and the next run removes the record.
    public func write(_ record: DeliveredRecord) throws(TicketStoreError) {
        try writeAtomically(path(id: record.id, suffix: Self.deliveredSuffix), record.jsonValue.rendered() + "\n")
        remove(id: record.id, suffix: Self.queuedSuffix)
    }

    public func write(_ record: LostRecord) throws(TicketStoreError) {
        try writeAtomically(path(id: record.id, suffix: Self.lostSuffix), record.jsonValue.rendered() + "\n")
        remove(id: record.id, suffix: Self.queuedSuffix)
    }

    /// Removes a file; one already gone is fine.
    public func remove(id: String, suffix: String) {
        _ = unlink(path(id: id, suffix: suffix))
    }

    // MARK: Files

    private func writeAtomically(_ path: String, _ document: String) throws(TicketStoreError) {
        do {
            try AtomicFile.write(document, to: path, mode: TicketStateStore.fileMode)
        } catch {
            throw failure(path, error.step, error.code)
        }
    }

    private func makeDirectory(_ path: String) throws(TicketStoreError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw failure(path, "cannot hold delivery state", ENOTDIR) }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]))
        }
        guard mkdir(path, TicketStateStore.directoryMode) == 0 || errno == EEXIST else {
            throw failure(path, "cannot create the directory", errno)
        }
    }

    private func failure(_ path: String, _ what: String, _ code: Int32) -> TicketStoreError {
        TicketStoreError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
    }
}
