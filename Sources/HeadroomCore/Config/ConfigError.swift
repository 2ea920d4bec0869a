/// A config file that cannot be used: where (file and JSON path) and what is expected.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file, when the config came from one.
    public var file: String?
    /// The JSON path of the offending key, e.g. `budget.categories.monitoring.units[2].expected`;
    /// empty for the document itself.
    public var path: String
    public var message: String

    public init(file: String? = nil, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = path.isEmpty ? "(top level)" : path
        if let file { return "\(file): \(location): \(message)" }
        return "\(location): \(message)"
    }
}

/// A JSON path under construction.
struct ConfigPath: CustomStringConvertible {
    private let text: String

    static let root = ConfigPath(text: "")

    private init(text: String) { self.text = text }

    func key(_ name: String) -> ConfigPath { ConfigPath(text: text.isEmpty ? name : "\(text).\(name)") }
    func index(_ position: Int) -> ConfigPath { ConfigPath(text: "\(text)[\(position)]") }

    var description: String { text }

    func error(_ message: String) -> ConfigError { ConfigError(path: text, message: message) }
}
