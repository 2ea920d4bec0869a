/// Text from outside (directory names, kernel lines) made safe for one log line.
public enum LogText {
    public static let maximumCharacters = 120

    /// Control characters and non-ASCII bytes as `\xNN` (a newline cannot start a forged log
    /// line), cut to `maximumCharacters` with "…".
    public static func printable(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if result.utf8.count >= maximumCharacters { return result + "…" }
            if byte >= 0x20 && byte < 0x7F {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
