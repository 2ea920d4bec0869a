import HeadroomCore
import Testing

/// The config reader refuses what Foundation's decoder let through or reported without a key.
@Suite("Config: size cap, duplicate keys, numbers out of range")
struct ConfigHardeningTests {
    static func error(_ json: String) -> ConfigError? {
        do {
            _ = try HeadroomConfig.parse(Array(json.utf8), file: "/etc/headroom/config.json")
            return nil
        } catch {
            return error
        }
    }

    @Test("a key given twice is refused, naming the key and where it is")
    func duplicateKey() throws {
        let error = try #require(Self.error("""
            {"supervisor": {"protected": ["sshd"],
                            "protected": []}}
            """))
        #expect(error.path == "supervisor.protected")
        #expect(error.message.contains("'protected' is given twice"), "\(error.message)")
        #expect(error.message.contains("line 2"), "\(error.message)")
        #expect(error.description.hasPrefix("/etc/headroom/config.json: supervisor.protected: "))
    }

    @Test("a top-level key given twice is refused too")
    func duplicateTopLevelKey() throws {
        let error = try #require(Self.error(#"{"incidents": {"keep_count": 5}, "incidents": {"keep_count": 9}}"#))
        #expect(error.path == "incidents")
        #expect(error.message.contains("given twice"))
    }

    @Test("a number too large for a Double names its key")
    func numberOutOfRange() throws {
        let error = try #require(Self.error(#"{"incidents": {"keep_days": 1e400}}"#))
        #expect(error.path == "incidents.keep_days")
        #expect(error.message.contains("1e400 is out of range"), "\(error.message)")
        let negative = try #require(Self.error(#"{"budget": {"categories": {"kernel": {"ram_percent": -1e999}}}}"#))
        #expect(negative.path == "budget.categories.kernel.ram_percent")
    }

    @Test("a file over 1 MiB is refused before it is read as JSON")
    func sizeCap() throws {
        let padding = String(repeating: " ", count: 1 << 20)
        let error = try #require(Self.error("{}" + padding))
        #expect(error.message.contains("at most 1048576 (1 MiB)"), "\(error.message)")
        #expect(try HeadroomConfig.parse(Array(("{}" + String(repeating: " ", count: (1 << 20) - 2)).utf8))
            == HeadroomConfig())
    }

    @Test("deep nesting is refused, not recursed into")
    func deepNesting() throws {
        let error = try #require(Self.error(String(repeating: "[", count: 100_000)))
        #expect(error.message.contains("nested deeper than 64"), "\(error.message)")
    }

    @Test("strict JSON: escapes, surrogates, whole numbers as before")
    func strictJSON() throws {
        #expect(try JSONValue.parse(Array(#"{"a": "\u00e9\ud83d\ude00\n", "b": 2.0, "c": 1e3, "d": 2.5, "e": -0}"#.utf8))
            == .object(["a": .string("é😀\n"), "b": .integer(2), "c": .integer(1000), "d": .number(2.5), "e": .integer(0)]))
        for bad in [#"{"a": 01}"#, #"{"a": "\ud83d"}"#, #"{"a": "\x"}"#, "{\"a\": \"\u{01}\"}", #"{"a": 1,}"#,
                    #"{"a" 1}"#, "[1] 2", "", #"{"a": "\u0x12"}"#, "[.5]", "[1.]", "[tru]"] {
            #expect(throws: JSONValue.SyntaxError.self, "\(bad)") { try JSONValue.parse(Array(bad.utf8)) }
        }
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }
}
