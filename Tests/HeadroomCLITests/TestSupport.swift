import FoundationEssentials
import HeadroomCLI
import HeadroomCore
import HeadroomTestSupport

enum Fixtures {
    static let directory = FixtureDirectory.path

    static func path(_ relative: String) -> String { directory + "/" + relative }
}

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/headroom-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws -> String {
        let file = path + "/" + relative
        let parent = String(file[..<file.lastIndex(of: "/")!])
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Copies a fixture root here, to be changed by the test.
    func copy(fixture: String) throws -> String {
        let destination = path + "/" + fixture
        try FileManager.default.copyItem(atPath: Fixtures.path(fixture), toPath: destination)
        return destination
    }
}

struct CLIResult {
    let code: Int32
    let stdout: String
    let stderr: String

    func json() throws -> JSONValue { try JSONValue.parse(Array(stdout.utf8)) }
}

func headroom(_ arguments: String...) -> CLIResult {
    let (code, output) = HeadroomCLI.run(arguments)
    return CLIResult(code: code, stdout: output.standardOutput, stderr: output.standardError)
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    subscript(_ index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var int: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
