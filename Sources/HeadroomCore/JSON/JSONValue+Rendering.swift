import FoundationEssentials

extension JSONValue {
    /// Pretty-printed with sorted keys, so the output is stable for diffs and tests.
    public func rendered() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A JSONValue holds only JSON types; NaN cannot arise from the readers.
        let data = (try? encoder.encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func bytes(_ value: UInt64) -> JSONValue { .integer(Int64(clamping: value)) }
    static func bytes(_ value: UInt64?) -> JSONValue { value.map { .integer(Int64(clamping: $0)) } ?? .null }
    static func bytes(_ value: Int64?) -> JSONValue { value.map { .integer($0) } ?? .null }
}
