#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Why an incident file could not be written or read. Always names the path.
public struct IncidentStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The id has characters other than letters, digits, '.', '_' and '-' (or starts with '.').
        case invalidId
        /// No incident file with that id.
        case notFound
        /// A system call failed (errno).
        case system(Int32)
        /// The file is not valid JSON.
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

/// The incident files: one JSON document per incident, `<directory>/<id>.json`, written
/// atomically, readable by the directory's group, pruned by count and age.
public struct IncidentStore: Sendable {
    public let directory: String
    public let keepCount: Int
    public let keepDays: Int

    /// The default state directory; incidents are in its `incidents` subdirectory.
    public static let defaultStateDirectory = "/var/lib/headroom"

    public init(directory: String, keepCount: Int = 500, keepDays: Int = 90) {
        var trimmed = directory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed
        self.keepCount = max(0, keepCount)
        self.keepDays = max(0, keepDays)
    }

    static let directoryMode: mode_t = 0o750
    static let fileMode: mode_t = 0o640
    static let fileSuffix = ".json"

    public func path(id: String) -> String { directory + "/" + id + IncidentStore.fileSuffix }

    /// Whether `id` can name a file here: 1 to 200 of [A-Za-z0-9._-], not starting with '.'
    /// (so never "..", a hidden file or a temporary file), hence never a slash.
    public static func isValid(id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= 200, bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private func checked(id: String) throws(IncidentStoreError) -> String {
        guard IncidentStore.isValid(id: id) else {
            throw IncidentStoreError(path: directory, kind: .invalidId,
                                     reason: "invalid incident id '\(id)': only letters, digits, '.', '_' and '-' "
                                        + "are allowed, not starting with '.'")
        }
        return path(id: id)
    }

    // MARK: Writing

    /// Writes (or replaces) the incident's file atomically: a temporary file in the same
    /// directory, fsync'd, renamed over the file, then the directory fsync'd. After a crash
    /// the file is either the old or the new document, never a torn one.
    ///
    /// - Returns: the file's path.
    /// - Throws: `IncidentStoreError` naming the path and the system's reason (ENOSPC, EACCES, ...).
    @discardableResult
    public func write(_ incident: Incident, host: String, bootId: String) throws(IncidentStoreError) -> String {
        let path = try checked(id: incident.id)
        try makeDirectory(directory)
        let document = incident.jsonValue(host: host, bootId: bootId).rendered() + "\n"
        do {
            // fileMode set explicitly: the umask may have taken the group's read bit away.
            try AtomicFile.write(document, to: path, mode: IncidentStore.fileMode)
        } catch {
            throw failure(path, error.step, error.code)
        }
        return path
    }

    private func makeDirectory(_ path: String) throws(IncidentStoreError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw IncidentStoreError(path: path, kind: .system(ENOTDIR),
                                         reason: "cannot hold incidents: \(KernelFileReader.errorText(ENOTDIR))")
            }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]))
        }
        guard mkdir(path, IncidentStore.directoryMode) == 0 || errno == EEXIST else {
            throw failure(path, "cannot create the directory", errno)
        }
        // As for the files: the umask must not take the group's access away.
        guard chmod(path, IncidentStore.directoryMode) == 0 else {
            throw failure(path, "cannot set the directory's mode", errno)
        }
    }

    /// Makes the rename durable.
    private func failure(_ path: String, _ what: String, _ code: Int32) -> IncidentStoreError {
        IncidentStoreError(path: path, kind: .system(code), reason: "\(what): \(KernelFileReader.errorText(code))")
    }

    // MARK: Reading

    /// The paths of the incident files (`*.json`, not hidden, so never a temporary file), sorted
    /// by name. A directory that does not exist holds no incidents.
    /// - Throws: `IncidentStoreError` when the directory exists but cannot be listed.
    public func incidentFiles() throws(IncidentStoreError) -> [String] {
        let names: [String]
        do {
            names = try KernelFileReader.listFiles(in: directory)
        } catch where error.kind == .missing {
            return []
        } catch {
            let code: Int32 = if case .unreadable(let code) = error.kind { code } else { EIO }
            throw IncidentStoreError(path: directory, kind: .system(code),
                                     reason: "cannot be listed: \(KernelFileReader.errorText(code))")
        }
        return names.filter { $0.hasSuffix(IncidentStore.fileSuffix) && !$0.hasPrefix(".") }
            .map { directory + "/" + $0 }
    }

    /// The document of the incident `id`.
    /// - Throws: `IncidentStoreError` `.invalidId` before any path is built from a bad id,
    ///   `.notFound`, `.system(errno)`, or `.malformed` for a file that is not JSON.
    public func read(id: String) throws(IncidentStoreError) -> JSONValue {
        try document(at: checked(id: id))
    }

    func document(at path: String) throws(IncidentStoreError) -> JSONValue {
        let text: KernelText
        do {
            text = try KernelFileReader.read(path)
        } catch {
            switch error.kind {
            case .missing: throw IncidentStoreError(path: path, kind: .notFound, reason: "does not exist")
            case .unreadable(let code): throw IncidentStoreError(path: path, kind: .system(code), reason: error.reason)
            default: throw IncidentStoreError(path: path, kind: .system(EIO), reason: error.reason)
            }
        }
        do {
            return try JSONValue.parse(text.bytes)
        } catch {
            throw IncidentStoreError(path: path, kind: .malformed, reason: error.message)
        }
    }

    /// Every incident's summary, newest first. A file that cannot be read or is not a schema 1
    /// incident (or whose id is not its file name) is left out and described in `problems`;
    /// the others are still listed.
    public func list() -> (summaries: [IncidentSummary], problems: [String]) {
        let found = entries()
        return (found.entries.map(\.summary), found.problems.map(\.description))
    }

    /// One incident file: its summary and its whole document.
    public struct Entry: Sendable {
        public var summary: IncidentSummary
        public var document: JSONValue
    }

    /// As `list()`, with each file's document and the problems as errors (`.system` for a file or
    /// directory that cannot be read, `.malformed` for one that is not a schema 1 incident).
    public func entries() -> (entries: [Entry], problems: [IncidentStoreError]) {
        let files: [String]
        do {
            files = try incidentFiles()
        } catch {
            return ([], [error])
        }
        var entries: [Entry] = []
        var problems: [IncidentStoreError] = []
        for file in files {
            do {
                let document = try document(at: file)
                let summary = try summary(of: document, at: file)
                if path(id: summary.id) != file {
                    problems.append(IncidentStoreError(path: file, kind: .malformed,
                                                       reason: "id: '\(summary.id)' does not match the file name"))
                    continue
                }
                entries.append(Entry(summary: summary, document: document))
            } catch {
                problems.append(error)
            }
        }
        entries.sort { ($0.summary.startedAtMs, $0.summary.id) > ($1.summary.startedAtMs, $1.summary.id) }
        return (entries, problems)
    }

    private func summary(of json: JSONValue, at file: String) throws(IncidentStoreError) -> IncidentSummary {
        do {
            return try IncidentSummary(json: json, file: file)
        } catch {
            throw IncidentStoreError(path: file, kind: .malformed,
                                     reason: error.key.map { "\($0): \(error.reason)" } ?? error.reason)
        }
    }
}
