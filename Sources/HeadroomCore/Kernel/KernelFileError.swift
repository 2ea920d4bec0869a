/// A kernel file that could not be turned into typed values.
///
/// It always names the file; where one line is to blame it also carries the
/// line number (1-based) and the line itself, so an operator can look at the
/// same spot with `sed -n Np FILE`.
public struct KernelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A line (or the whole value) does not have the expected shape.
        case malformed
        /// A key the reader needs is not in the file.
        case missingKey(String)
        /// The file does not exist (for cgroups: the cgroup has gone away).
        case missing
        /// The file exists but could not be read (errno).
        case unreadable(Int32)
    }

    public var path: String
    public var kind: Kind
    public var lineNumber: Int?
    public var line: String?
    public var reason: String

    public init(path: String, kind: Kind, lineNumber: Int? = nil, line: String? = nil, reason: String) {
        self.path = path
        self.kind = kind
        self.lineNumber = lineNumber
        self.line = line
        self.reason = reason
    }

    public var description: String {
        var text = path
        if let lineNumber { text += ":\(lineNumber)" }
        text += ": \(reason)"
        if let line { text += " (line: \"\(line)\")" }
        return text
    }
}
