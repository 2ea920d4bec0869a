import FoundationEssentials
import Glibc
import HeadroomCore
import HeadroomLinux
import Testing

/// An invalid config at start falls back to the last accepted one (or the defaults), with
/// one error line saying which, instead of the daemon exiting.
@Suite("Last good config")
struct LastGoodConfigTests {
    let directory: String
    let configPath: String
    let keeper: LastGoodConfig

    init() {
        var template = Array("/tmp/headroom-lastgood-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        configPath = directory + "/config.json"
        keeper = LastGoodConfig(stateDirectory: directory + "/state")
    }

    func write(_ text: String, to path: String? = nil) {
        FileManager.default.createFile(atPath: path ?? configPath, contents: Data(text.utf8))
    }

    static let good = #"{"supervisor": {"extra_protected": ["postgresql"]}, "incidents": {"keep_count": 7}}"#

    @Test("a valid config is used and kept; a broken one then falls back to it, saying so")
    func fallsBackToLastGood() throws {
        write(Self.good)
        let first = keeper.loadForStart(path: configPath)
        #expect(first.problem == nil)
        #expect(first.config.incidents.keepCount == 7)
        #expect(FileManager.default.contents(atPath: keeper.path) == Data(Self.good.utf8))

        write(#"{"incidents": {"keep_count": 7, "keep_count": 8}}"#)
        let second = keeper.loadForStart(path: configPath)
        #expect(second.config == first.config)
        let problem = try #require(second.problem)
        #expect(problem.contains("\(configPath): incidents.keep_count: "), "\(problem)")
        #expect(problem.contains("given twice"))
        #expect(problem.contains("running on the last good config \(keeper.path)"), "\(problem)")
        // The broken file did not replace the kept copy.
        #expect(FileManager.default.contents(atPath: keeper.path) == Data(Self.good.utf8))
    }

    @Test("with no last good config, the defaults run and the error says so")
    func defaultsWithoutLastGood() throws {
        write("{\"supervisor\": ")
        let start = keeper.loadForStart(path: configPath)
        #expect(start.config == HeadroomConfig())
        let problem = try #require(start.problem)
        #expect(problem.contains("no last good config"), "\(problem)")
        #expect(problem.contains("built-in defaults"))
        #expect(!FileManager.default.fileExists(atPath: keeper.path))
    }

    @Test("a last good copy that is itself invalid gives the defaults")
    func invalidLastGood() throws {
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        write(#"{"nonsense": 1}"#, to: keeper.path)
        write(#"{"also": 2}"#)
        let start = keeper.loadForStart(path: configPath)
        #expect(start.config == HeadroomConfig())
        #expect(start.problem?.contains("not valid either") == true, "\(start.problem ?? "")")
    }

    @Test("a reload keeps a valid config and refuses a broken one without touching the copy")
    func reload() throws {
        write(Self.good)
        #expect(try keeper.reload(path: configPath).incidents.keepCount == 7)
        write(#"{"incidents": {"keep_days": 1e400}}"#)
        #expect(throws: ConfigError.self) { try keeper.reload(path: configPath) }
        #expect(FileManager.default.contents(atPath: keeper.path) == Data(Self.good.utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: keeper.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a config that is not a small regular file is refused before it is read")
    func notARegularFile() throws {
        #expect(throws: ConfigError(file: "/dev/zero", path: "", message: "not a regular file")) {
            try ConfigLoader.load(path: "/dev/zero")
        }
        write("{}" + String(repeating: " ", count: 1 << 20))
        do {
            _ = try ConfigLoader.load(path: configPath)
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("at most 1048576 (1 MiB)"), "\(error.message)")
        }
    }
}
