/// The fields of one JSON object in a state file, read by type, with errors naming the field by
/// its place in the document (`ladders[1].since_s: expected seconds (a number), found a string`).
/// A field may be absent or null only where the reader says optional.
struct JSONFields {
    let object: [String: JSONValue]
    /// Where this object is: "" for the document, "units[2]" for an entry.
    let place: String

    init(_ object: [String: JSONValue], at place: String) {
        self.object = object
        self.place = place
    }

    struct FieldError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func name(_ key: String) -> String { place.isEmpty ? key : place + "." + key }

    func wrong(_ key: String, _ expected: String) -> FieldError {
        FieldError("\(name(key)): expected \(expected)"
            + (object[key].map { ", found \($0 == .null ? "null" : $0.kindName)" } ?? ", but it is missing"))
    }

    /// nil when absent or null.
    private func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(FieldError) -> String {
        guard case .string(let text)? = object[key] else { throw wrong(key, "a string") }
        return text
    }

    func unitName(_ key: String) throws(FieldError) -> String {
        let unit = try string(key)
        if let problem = UnitName.validationError(unit) { throw FieldError("\(name(key)): '\(unit)': \(problem)") }
        return unit
    }

    func integer(_ key: String) throws(FieldError) -> Int64 {
        guard case .integer(let number)? = object[key] else { throw wrong(key, "a whole number") }
        return number
    }

    func bool(_ key: String) throws(FieldError) -> Bool {
        guard case .bool(let flag)? = object[key] else { throw wrong(key, "true or false") }
        return flag
    }

    func bytes(_ key: String) throws(FieldError) -> UInt64 {
        guard let bytes = try optionalBytes(key) else { throw wrong(key, "a number of bytes") }
        return bytes
    }

    func optionalBytes(_ key: String) throws(FieldError) -> UInt64? {
        guard let value = present(key) else { return nil }
        guard case .integer(let bytes) = value, bytes >= 0 else { throw wrong(key, "a number of bytes (0 or more)") }
        return UInt64(bytes)
    }

    func seconds(_ key: String) throws(FieldError) -> Double {
        guard let seconds = try optionalSeconds(key) else { throw wrong(key, "seconds (a number)") }
        return seconds
    }

    func optionalSeconds(_ key: String) throws(FieldError) -> Double? { try optionalNumber(key, "seconds (a number)") }

    func optionalNumber(_ key: String, _ expected: String = "a number") throws(FieldError) -> Double? {
        switch present(key) {
        case nil: return nil
        case .integer(let whole)?: return Double(whole)
        case .number(let number)?: return number
        default: throw wrong(key, expected)
        }
    }

    /// An object field; nil when absent or null.
    func optionalObject(_ key: String) throws(FieldError) -> JSONFields? {
        guard let value = present(key) else { return nil }
        guard case .object(let fields) = value else { throw wrong(key, "an object") }
        return JSONFields(fields, at: name(key))
    }

    /// An array of objects, each with its place (`units[3]`).
    func array(_ key: String) throws(FieldError) -> [JSONFields] {
        guard case .array(let elements)? = object[key] else { throw wrong(key, "an array") }
        var entries: [JSONFields] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let fields) = element else {
                throw FieldError("\(name(key))[\(index)]: expected an object, found \(element.kindName)")
            }
            entries.append(JSONFields(fields, at: "\(name(key))[\(index)]"))
        }
        return entries
    }
}
