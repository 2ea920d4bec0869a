/// A glob over systemd unit names, as the budget config writes them.
///
/// `*` matches any run of characters and `?` one character. A pattern with a
/// unit type suffix (`sshd.service`, `session-*.scope`) matches the full unit
/// name; a pattern without one (`nix-daemon`, `fc-manage*`) matches the name
/// with its type suffix removed, so `fc-manage*` covers `fc-manage-update.service`.
public struct UnitPattern: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let text: String
    private let bytes: [UInt8]
    private let matchesFullName: Bool

    /// - Returns: nil when the text is not a valid pattern; `validationError` says why.
    public init?(_ text: String) {
        guard UnitPattern.validationError(text) == nil else { return nil }
        self.text = text
        self.bytes = Array(text.utf8)
        self.matchesFullName = UnitName.typeSuffix(of: text) != nil
    }

    public var description: String { text }

    /// A sentence saying what is wrong with `text` as a pattern, or nil when it is fine.
    public static func validationError(_ text: String) -> String? {
        if text.isEmpty { return "the pattern is empty" }
        if text.utf8.count > 255 { return "the pattern is longer than 255 characters" }
        for character in text.unicodeScalars where !(UnitName.isAllowed(character) || character == "*" || character == "?") {
            return "'\(character)' is not allowed in a unit name pattern (letters, digits, ':', '-', '_', '.', '@', '\\', '*', '?')"
        }
        return nil
    }

    /// Categories are assigned once per unit as it appears, so the small copy here is off the hot path.
    public func matches(_ unit: String) -> Bool {
        let name = matchesFullName ? Substring(unit) : UnitName.stem(of: unit)
        return Self.glob(bytes[...], Array(name.utf8)[...])
    }

    /// Iterative wildcard match with single backtracking point (linear in practice).
    private static func glob(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starP: Int?
        var starN = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex && (pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n]) {
                p += 1
                n += 1
            } else if p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") {
                starP = p
                starN = n
                p += 1
            } else if let star = starP {
                p = star + 1
                starN += 1
                n = starN
            } else {
                return false
            }
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
