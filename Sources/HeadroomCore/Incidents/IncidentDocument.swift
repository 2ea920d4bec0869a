/// Lenient, read-only access to an incident file's document (or any object in it), by the
/// keys in `IncidentKey`: a missing or mistyped value reads as nil, so any schema 1 file,
/// whichever version of headroom wrote it, can be shown and counted. The strict reader
/// that names a wrong key is `IncidentSummary(json:file:)`.
public struct IncidentDocument: Sendable {
    public let json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    public func value(_ key: String) -> JSONValue? {
        if case .object(let fields) = json { return fields[key] }
        return nil
    }

    public func object(_ key: String) -> IncidentDocument? { value(key).map(IncidentDocument.init) }

    public func text(_ key: String) -> String? {
        if case .string(let text)? = value(key) { return text }
        return nil
    }

    public func integer(_ key: String) -> Int64? {
        if case .integer(let number)? = value(key) { return number }
        return nil
    }

    public func double(_ key: String) -> Double? {
        switch value(key) {
        case .integer(let number)?: Double(number)
        case .number(let number)?: number
        default: nil
        }
    }

    public func flag(_ key: String) -> Bool { value(key) == .bool(true) }

    /// The objects of an array value; empty when missing.
    public func items(_ key: String) -> [IncidentDocument] {
        if case .array(let items)? = value(key) { return items.map(IncidentDocument.init) }
        return []
    }

    /// The strings of an array value; empty when missing.
    public func texts(_ key: String) -> [String] {
        guard case .array(let items)? = value(key) else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
}
