import HeadroomCore
import Testing

@Suite("Config: defaults, overrides and errors that name the key")
struct ConfigValidationTests {
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

    @Test("supervisor and swap settings override their defaults")
    func supervisorSettings() throws {
        let config = try HeadroomConfig.parse(Array(#"""
            {"supervisor": {"critical": {"forecast_seconds": 20, "dwell_seconds": 1},
                            "protected": ["sshd", "important-*"], "avoid": ["postgresql"],
                            "max_restarts_per_hour": 5, "minimum_culprit": "64MiB"},
             "swap": {"calm_swappiness": 10, "pressure_swappiness": 100},
             "incidents": {"keep_count": 50}}
            """#.utf8))
        #expect(config.supervisor.critical.forecastSeconds == 20)
        #expect(config.supervisor.critical.dwellSeconds == 1)
        #expect(config.supervisor.critical.availablePercent == SupervisorSettings().critical.availablePercent)
        #expect(config.supervisor.isProtected("important-db.service"))
        #expect(!config.supervisor.isProtected("systemd-logind.service"))
        // The core set (ProtectedUnitsTests) stays protected under a replaced list.
        #expect(config.supervisor.isProtected("systemd-journald.service"))
        #expect(config.supervisor.avoid.map(\.text) == ["postgresql"])
        #expect(config.supervisor.maxRestartsPerHour == 5)
        #expect(config.supervisor.minimumCulpritBytes == 64 << 20)
        #expect(config.supervisor.calmSwappiness == 10)
        #expect(config.supervisor.pressureSwappiness == 100)
        #expect(config.incidents.keepCount == 50)
        #expect(config.incidents.keepDays == 90)
    }

    @Test("the effective config reads back to the same config")
    func effectiveConfigRoundTrips() throws {
        let custom = try HeadroomConfig.parse(Array(#"""
            {"budget": {"categories": {"management": {"reserve": 1234567}, "cache": {"target": "1.5GiB"}}},
             "supervisor": {"critical": {"forecast_seconds": 7.5}, "prefer": ["app-*"]}, "swap": {"calm_swappiness": 0}}
            """#.utf8))
        for config in [HeadroomConfig(), custom] {
            let shown = config.renderJSON()
            #expect(try HeadroomConfig.parse(Array(shown.utf8)) == config)
        }
        #expect(HeadroomConfig().renderJSON().contains(#""reserve" : "1.1GiB""#))
    }
}
