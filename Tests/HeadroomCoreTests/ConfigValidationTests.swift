import HeadroomCore
import Testing

@Suite("Config: defaults, overrides and errors that name the key")
struct ConfigValidationTests {
    struct BadConfig: CustomTestStringConvertible, Sendable {
        let json: String
        let path: String
        let mentions: String
        var testDescription: String { "\(path): \(json)" }
    }

    /// Each bad config, the key path its error must name, and a word the sentence must contain.
    static let badConfigs: [BadConfig] = [
        BadConfig(json: #"{"budget": "#, path: "", mentions: "not valid JSON"),
        BadConfig(json: #"[1, 2]"#, path: "", mentions: "expected an object"),
        BadConfig(json: #"{"budgte": {}}"#, path: "budgte", mentions: "unknown key"),
        BadConfig(json: #"{"budget": 3}"#, path: "budget", mentions: "found a number"),
        BadConfig(json: #"{"budget": {"categories": {"apps": {}}}}"#, path: "budget.categories.apps",
                  mentions: "unknown key"),
        BadConfig(json: #"{"budget": {"categories": {"application": {}}}}"#, path: "budget.categories.application",
                  mentions: "what is left"),
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
    ]

    @Test(arguments: badConfigs)
    func badConfigNamesTheKey(_ bad: BadConfig) {
        do {
            _ = try HeadroomConfig.parse(Array(bad.json.utf8), file: "/etc/headroom/config.json")
            Issue.record("accepted: \(bad.json)")
        } catch {
            #expect(error.path == bad.path)
            #expect(error.message.contains(bad.mentions), "message was: \(error.message)")
            #expect(error.description.hasPrefix("/etc/headroom/config.json: \(bad.path.isEmpty ? "(top level)" : bad.path): "))
        }
    }

    @Test("the table has at least 15 bad configs")
    func enoughBadConfigs() { #expect(Self.badConfigs.count >= 15) }

    @Test("an empty object is the platform default")
    func emptyIsDefault() throws {
        #expect(try HeadroomConfig.parse(Array("{}".utf8)) == HeadroomConfig())
    }

    @Test("defaults come from the platform document")
    func platformDefaults() {
        let budget = HeadroomConfig().budget
        let mib: UInt64 = 1 << 20
        #expect(budget.kernelMinimumBytes == 150 * mib)
        #expect(budget.kernelRamPercent == 2)
        #expect(budget.management.reserveBytes == 1_181_116_006)
        #expect(budget.userland.reserveBytes == 100 * mib)
        #expect(budget.cacheTargetBytes == 1024 * mib)
        #expect(budget.classify(unit: "telegraf.service") == (.monitoring, 256 * mib))
        #expect(budget.classify(unit: "sensu-client.service") == (.monitoring, 256 * mib))
        #expect(budget.classify(unit: "alloy.service") == (.monitoring, 256 * mib))
        #expect(budget.classify(unit: "filebeat-journal.service") == (.monitoring, 100 * mib))
        #expect(budget.classify(unit: "systemd-journald.service") == (.monitoring, 100 * mib))
        #expect(budget.classify(unit: "fail2ban.service") == (.monitoring, 100 * mib))
        #expect(budget.classify(unit: "nix-daemon.service") == (.management, nil))
        #expect(budget.classify(unit: "fc-manage-update.service") == (.management, nil))
        #expect(budget.classify(unit: "nixos-rebuild-switch.service") == (.management, nil))
        #expect(budget.classify(unit: "sshd.service") == (.userland, nil))
        #expect(budget.classify(unit: "init.scope") == (.userland, nil))
        #expect(budget.classify(unit: "session-4.scope") == (.userland, nil))
        #expect(budget.classify(unit: "getty@tty1.service") == (.userland, nil))
        #expect(budget.classify(unit: "systemd-logind.service") == (.userland, nil))
        #expect(budget.classify(unit: "postgresql.service") == (.application, nil))
        #expect(budget.classify(unit: "telegraf-extra.service") == (.application, nil))
    }

    @Test("keys override the defaults; arrays replace the default list")
    func overrides() throws {
        let config = try HeadroomConfig.parse(Array(#"""
            {"budget": {"categories": {
                "kernel": {"ram_percent": 2.5},
                "monitoring": {"units": [{"match": "telegraf", "expected": 300000000}]},
                "cache": {"target": "512 MiB"}}}}
            """#.utf8))
        #expect(config.budget.kernelRamPercent == 2.5)
        #expect(config.budget.kernelMinimumBytes == 150 << 20)
        #expect(config.budget.monitoring.units.count == 1)
        #expect(config.budget.classify(unit: "telegraf.service") == (.monitoring, 300_000_000))
        #expect(config.budget.classify(unit: "alloy.service") == (.application, nil))
        #expect(config.budget.cacheTargetBytes == 512 << 20)
        #expect(config.budget.management == HeadroomConfig().budget.management)
    }

    @Test("the effective config reads back to the same config")
    func effectiveConfigRoundTrips() throws {
        let custom = try HeadroomConfig.parse(Array(#"""
            {"budget": {"categories": {"management": {"reserve": 1234567}, "cache": {"target": "1.5GiB"}}}}
            """#.utf8))
        for config in [HeadroomConfig(), custom] {
            let shown = config.renderJSON()
            #expect(try HeadroomConfig.parse(Array(shown.utf8)) == config)
        }
        #expect(HeadroomConfig().renderJSON().contains(#""reserve" : "1.1GiB""#))
    }
}
