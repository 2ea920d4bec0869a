import FoundationEssentials
import HeadroomCore
import Testing

@Suite("headroom config check / show")
struct ConfigCommandTests {
    struct BadConfig: CustomTestStringConvertible, Sendable {
        let json: String
        let path: String
        let mentions: String
        var testDescription: String { "\(path): \(json)" }
    }

    /// Each bad config, the key path its error must name, and a word the sentence must contain.
    static let badConfigs: [BadConfig] = [
        BadConfig(json: #"{"budget": "#, path: "budget", mentions: "not valid JSON"),
        BadConfig(json: #"[1, 2]"#, path: "", mentions: "expected an object"),
        BadConfig(json: #"{"budgte": {}}"#, path: "budgte", mentions: "unknown key"),
        BadConfig(json: #"{"budget": 3}"#, path: "budget", mentions: "found a number"),
        BadConfig(json: #"{"budget": {"categories": {"apps": {}}}}"#, path: "budget.categories.apps",
                  mentions: "unknown key"),
        BadConfig(json: #"{"budget": {"categories": {"application": {"reserve": "1GiB"}}}}"#,
                  path: "budget.categories.application.reserve", mentions: "what the model leaves"),
        BadConfig(json: #"{"budget": {"categories": {"cache": {"shares_management_reserve": 1}}}}"#,
                  path: "budget.categories.cache.shares_management_reserve", mentions: "true or false"),
        BadConfig(json: #"{"budget": {"warn_after_minutes": -1}}"#, path: "budget.warn_after_minutes",
                  mentions: "from 0 to 10080"),
        BadConfig(json: #"{"budget": {"categories": {"kernel": {"minimum": -5}}}}"#,
                  path: "budget.categories.kernel.minimum", mentions: "0 or more"),
        BadConfig(json: #"{"budget": {"categories": {"kernel": {"minimum": "150XB"}}}}"#,
                  path: "budget.categories.kernel.minimum", mentions: "unknown unit 'XB'"),
        BadConfig(json: #"{"budget": {"categories": {"kernel": {"ram_percent": 150}}}}"#,
                  path: "budget.categories.kernel.ram_percent", mentions: "from 0 to 50"),
        BadConfig(json: #"{"budget": {"categories": {"kernel": {"ram_percent": "2"}}}}"#,
                  path: "budget.categories.kernel.ram_percent", mentions: "found a string"),
        BadConfig(json: #"{"budget": {"categories": {"management": {"reserve": true}}}}"#,
                  path: "budget.categories.management.reserve", mentions: "found a boolean"),
        BadConfig(json: #"{"budget": {"categories": {"monitoring": {"units": {"match": "telegraf"}}}}}"#,
                  path: "budget.categories.monitoring.units", mentions: "expected an array"),
        BadConfig(json: #"""
            {"budget": {"categories": {"monitoring": {"units": [
                {"match": "telegraf", "expected": "256MiB"},
                {"match": "sensu-client", "expected": "256MiB"},
                {"match": "alloy", "expected": "lots"}]}}}}
            """#, path: "budget.categories.monitoring.units[2].expected", mentions: "does not start with a number"),
        BadConfig(json: #"{"budget": {"categories": {"userland": {"units": [{"expected": "1MiB"}]}}}}"#,
                  path: "budget.categories.userland.units[0]", mentions: "missing \"match\""),
        BadConfig(json: #"{"budget": {"categories": {"userland": {"units": [{"match": ""}]}}}}"#,
                  path: "budget.categories.userland.units[0].match", mentions: "empty"),
        BadConfig(json: #"{"budget": {"categories": {"userland": {"units": [{"match": "ssh d"}]}}}}"#,
                  path: "budget.categories.userland.units[0].match", mentions: "not allowed"),
        BadConfig(json: #"{"budget": {"categories": {"userland": {"units": [{"match": 7}]}}}}"#,
                  path: "budget.categories.userland.units[0].match", mentions: "found a number"),
        BadConfig(json: #"{"budget": {"categories": {"userland": {"units": [{"match": "sshd", "colour": "red"}]}}}}"#,
                  path: "budget.categories.userland.units[0].colour", mentions: "unknown key"),
        BadConfig(json: #"{"budget": {"categories": {"cache": {"target": "2PiB"}}}}"#,
                  path: "budget.categories.cache.target", mentions: "unknown unit"),
        BadConfig(json: #"{"budget": {"categories": {"cache": {"target": "20TiB"}}}}"#,
                  path: "budget.categories.cache.target", mentions: "at most 16TiB"),
        BadConfig(json: #"{"budget": {"categories": {"cache": {"target": "1GB"}}}}"#,
                  path: "budget.categories.cache.target", mentions: "ambiguous"),
        BadConfig(json: #"{"budget": {"categories": {"management": {"units": [{"match": "sshd"}]}}}}"#,
                  path: "budget.categories.userland.units[1].match", mentions: "already used at budget.categories.management.units[0].match"),
        BadConfig(json: #"{"budget": {"categories": {"kernel": null}}}"#,
                  path: "budget.categories.kernel", mentions: "found null"),
        BadConfig(json: #"{"swap": {"calm_swappiness": 250}}"#, path: "swap.calm_swappiness", mentions: "from 0 to 200"),
        BadConfig(json: #"{"swap": {"pressure_swappiness": 60.5}}"#, path: "swap.pressure_swappiness", mentions: "found 60.5"),
        BadConfig(json: #"{"supervisor": {"critical": {"dwell_seconds": -1}}}"#,
                  path: "supervisor.critical.dwell_seconds", mentions: "from 0 to 600"),
        BadConfig(json: #"{"supervisor": {"protected": ["sshd", 5]}}"#, path: "supervisor.protected[1]",
                  mentions: "found a number"),
        BadConfig(json: #"{"supervisor": {"tick_seconds": 1, "fast_tick_seconds": 2}}"#,
                  path: "supervisor.fast_tick_seconds", mentions: "at most tick_seconds"),
        BadConfig(json: #"{"supervisor": {"elevated": {"psi_some": 10}}}"#, path: "supervisor.elevated.psi_some",
                  mentions: "unknown key"),
        BadConfig(json: #"{"incidents": {"keep_count": 0}}"#, path: "incidents.keep_count", mentions: "from 1 to 100000"),
        BadConfig(json: #"{"colour": "blue"}"#, path: "colour", mentions: "expected one of: budget, supervisor, swap, policy, incidents"),
    ]

    @Test("a bad config file: exit 1, stderr names the file and the key path", arguments: badConfigs)
    func badConfigNamesTheKey(_ bad: BadConfig) throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", bad.json)
        let result = headroom("config", "check", file)
        #expect(result.code == 1)
        let location = bad.path.isEmpty ? "(top level)" : bad.path
        #expect(result.stderr.hasPrefix("headroom: invalid config: \(file): \(location): "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(bad.mentions), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(throws: ConfigError.self) { try HeadroomConfig.parse(Array(bad.json.utf8)) }
    }

    @Test("the table has at least 15 bad configs")
    func enoughBadConfigs() { #expect(Self.badConfigs.count >= 15) }

    @Test("a valid file: exit 0")
    func validFile() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", #"{"budget": {"categories": {"cache": {"target": "768MiB"}}}}"#)
        let result = headroom("config", "check", file)
        #expect(result.code == 0)
        #expect(result.stderr.isEmpty)
    }

    @Test("a named file that does not exist is an error, not the defaults")
    func missingNamedFile() throws {
        let scratch = try ScratchDirectory()
        let result = headroom("config", "check", scratch.path + "/nope.json")
        #expect(result.code == 1)
        #expect(result.stderr.contains("nope.json: (top level): the file does not exist"))
    }

    @Test("check without a file when the default file is absent: the defaults apply, exit 0",
          .enabled(if: !FileManager.default.fileExists(atPath: HeadroomConfig.defaultPath)))
    func absentDefaultFile() throws {
        let result = headroom("config", "check")
        #expect(result.code == 0)
        #expect(result.stdout == "\(HeadroomConfig.defaultPath) does not exist: the defaults apply (headroom config show)\n")
    }

    @Test("show prints the effective config, which check accepts and which equals file over defaults")
    func showRoundTrips() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", #"{"budget": {"categories": {"userland": {"reserve": "128MiB"}}}}"#)
        let shown = headroom("config", "show", "--config", file)
        #expect(shown.code == 0)
        let effective = try HeadroomConfig.parse(Array(shown.stdout.utf8))
        #expect(effective.budget.userland.reserveBytes == 128 << 20)
        #expect(effective.budget.monitoring == HeadroomConfig().budget.monitoring)
        let saved = try scratch.write("effective.json", shown.stdout)
        #expect(headroom("config", "check", saved).code == 0)
    }

    @Test("status and budget refuse an invalid config with the same message")
    func readCommandsRefuseInvalidConfig() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("config.json", #"{"budget": {"categories": {"cache": {"target": "1GB"}}}}"#)
        for command in ["status", "budget"] {
            let result = headroom(command, "--root", Fixtures.path("host-hybrid"), "--config", file)
            #expect(result.code == 1)
            #expect(result.stderr.contains("\(file): budget.categories.cache.target: "))
        }
    }
}
