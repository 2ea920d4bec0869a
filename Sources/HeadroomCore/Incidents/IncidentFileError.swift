/// An incident file that cannot be read as schema 1: names the file, and the key where one is to blame.
public struct IncidentFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// The key that is missing or has the wrong type or value; nil when the whole file is to blame.
    public var key: String?
    public var reason: String

    public init(file: String, key: String? = nil, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        if let key { return "\(file): \(key): \(reason)" }
        return "\(file): \(reason)"
    }
}
