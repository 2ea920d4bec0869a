import FoundationEssentials
import HeadroomCore
import HeadroomTestSupport

/// Fixture files under Tests/Fixtures, located from this source file.
enum Fixtures {
    static let directory = FixtureDirectory.path

    static func path(_ relative: String) -> String { directory + "/" + relative }

    static func text(_ relative: String) throws -> KernelText {
        let path = path(relative)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return KernelText(bytes: Array(data), path: path)
    }

    /// The value of `Key:` in a meminfo-style file, read the plain way, to check the parser against.
    static func kibibytes(_ key: String, in relative: String) throws -> UInt64 {
        let text = String(decoding: try text(relative).bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let number = line.dropFirst(key.count + 1).split(separator: " ").first!
            return UInt64(number)! * 1024
        }
        throw FixtureError.missing(key)
    }

    enum FixtureError: Error { case missing(String) }
}
