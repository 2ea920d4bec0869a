/// Sizes as the config writes them: a whole number of bytes, or a string
/// such as "256MiB", "1.1GiB", "512 K". Units are binary (1 KiB = 1024 B), as
/// in systemd's `MemoryMax=`; "MB"/"GB" are refused because they are ambiguous.
public enum ByteSize {
    static let units: [(suffixes: [String], factor: UInt64)] = [
        (["B", ""], 1),
        (["K", "KiB"], 1 << 10),
        (["M", "MiB"], 1 << 20),
        (["G", "GiB"], 1 << 30),
        (["T", "TiB"], 1 << 40),
    ]

    /// Parses a size string; the error is a sentence for the config message.
    public static func parse(_ text: String) -> Result<UInt64, SizeError> {
        let trimmed = text.trimmingSpaces
        var numberEnd = trimmed.startIndex
        while numberEnd < trimmed.endIndex, trimmed[numberEnd].isASCII,
              trimmed[numberEnd].isNumber || trimmed[numberEnd] == "." {
            numberEnd = trimmed.index(after: numberEnd)
        }
        let numberText = String(trimmed[..<numberEnd])
        let suffix = String(trimmed[numberEnd...]).trimmingSpaces
        guard !numberText.isEmpty, numberText.filter({ $0 == "." }).count <= 1,
              numberText.first != ".", numberText.last != ".",
              let number = Double(numberText) else {
            return .failure(SizeError("'\(text)' does not start with a number"))
        }
        guard let factor = units.first(where: { $0.suffixes.contains(suffix) })?.factor else {
            if ["KB", "kB", "MB", "GB", "TB"].contains(suffix) {
                return .failure(SizeError("'\(suffix)' is ambiguous; use binary units KiB, MiB, GiB or TiB"))
            }
            return .failure(SizeError("unknown unit '\(suffix)'; use B, KiB, MiB, GiB or TiB"))
        }
        let bytes = (number * Double(factor)).rounded()
        guard bytes < 18_000_000_000_000_000_000 else {
            return .failure(SizeError("'\(text)' is too large"))
        }
        return .success(UInt64(bytes))
    }

    /// "1.1 GiB", "256 MiB", "900 B": three significant digits at most, for people.
    public static func format(_ bytes: UInt64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let names = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var index = -1
        while value >= 1024 && index < names.count - 1 {
            value /= 1024
            index += 1
        }
        let text: String
        if value >= 100 || value == value.rounded() {
            text = String(Int(value.rounded()))
        } else if value >= 10 {
            text = String((value * 10).rounded() / 10)
        } else {
            text = String((value * 100).rounded() / 100)
        }
        return "\(text.trimmingTrailingZeros) \(names[index])"
    }

    /// Signed variant for headroom that may be negative.
    public static func format(signed bytes: Int64) -> String {
        bytes < 0 ? "-" + format(bytes.magnitude) : format(UInt64(bytes))
    }

    public struct SizeError: Error, Equatable, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    var trimmingTrailingZeros: String {
        guard contains(".") else { return self }
        var text = self
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
