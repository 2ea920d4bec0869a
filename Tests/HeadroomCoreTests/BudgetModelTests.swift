import HeadroomCore
import Testing

/// The budget model against the platform document's own figures (vm-memory-baseline.txt):
/// "a VM with 3 GiB of RAM will be able to carry a small application load (approx. 512 MiB)".
@Suite("Budget model")
struct BudgetModelTests {
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30
    static let management: UInt64 = 1_181_116_006 // 1.1 GiB: one job at a time

    /// Every platform unit the document lists, at a modest size, plus one of each other category.
    static let platformUnits: [ServiceSample] = [
        "telegraf.service", "sensu-client.service", "alloy.service", "filebeat-journal.service",
        "filebeat-app.service", "systemd-journald.service", "fail2ban.service", "nix-daemon.service",
        "fc-agent.service", "sshd.service", "nscd.service",
    ].map { BudgetRuleTests.service($0, current: 20 * mib) }
    /// telegraf + sensu + alloy + 2 filebeat + journal + fail2ban
    static let monitoring: UInt64 = (256 * 3 + 100 * 2 + 100 + 100) * mib

    static func report(installedGiB: UInt64, units: [ServiceSample] = platformUnits,
                       config: BudgetConfig = .platformDefault) -> BudgetReport {
        let installed = installedGiB * gib
        return BudgetReport.compute(system: BudgetRuleTests.system(installed: installed, memTotal: installed - 150 * mib),
                                    services: units, perServiceAvailable: true, config: config)
    }

    @Test("3 GiB with every platform unit: about 512 MiB for applications (448-576)")
    func threeGiB() throws {
        let report = Self.report(installedGiB: 3)
        let budget = try #require(report.application.budgetBytes)
        #expect(budget >= 448 * Self.mib && budget <= 576 * Self.mib, "\(ByteSize.format(budget))")
        // kernel 150 MiB (2 % of 3 GiB is below the minimum), management one job, monitoring as
        // present, userland 100 MiB; the 1 GiB cache target fits in the management reserve.
        #expect(budget == 3 * Self.gib - 150 * Self.mib - Self.management - Self.monitoring - 100 * Self.mib)
        #expect(try #require(report.category(.cache)).countedBytes == 0)
        #expect(try #require(report.category(.cache)).expectedBytes == Self.gib)
        #expect(try #require(report.category(.monitoring)).expectedBytes == Self.monitoring)
    }

    @Test("8 and 16 GiB: the kernel grows to 2 %, the other reserves stay fixed",
          arguments: [(UInt64(8), UInt64(5_907_425_526)), (16, 14_325_561_426)])
    func larger(installedGiB: UInt64, applicationBytes: UInt64) throws {
        let report = Self.report(installedGiB: installedGiB)
        let installed = installedGiB * Self.gib
        let kernel = UInt64((Double(installed) * 0.02).rounded())
        #expect(try #require(report.category(.kernel)).expectedBytes == kernel)
        let budget = try #require(report.application.budgetBytes)
        #expect(budget == installed - kernel - Self.management - Self.monitoring - 100 * Self.mib)
        #expect(budget == applicationBytes) // 8 GiB: 5.50 GiB; 16 GiB: 13.3 GiB
    }

    @Test("a cache target above the management reserve is held against applications beyond it")
    func cacheBeyondManagement() throws {
        var config = BudgetConfig.platformDefault
        config.cacheTargetBytes = 2 * Self.gib
        let report = Self.report(installedGiB: 8, config: config)
        #expect(try #require(report.category(.cache)).countedBytes == 2 * Self.gib - Self.management)
        config.cacheSharesManagementReserve = false
        let summed = Self.report(installedGiB: 3, config: config)
        #expect(try #require(summed.category(.cache)).countedBytes == 2 * Self.gib)
        #expect(summed.application.budgetBytes == 0) // every peak at once leaves nothing on 3 GiB
    }

    @Test("without alloy and with one filebeat, applications get what those would have used")
    func fewerMonitoringUnits() throws {
        let units = Self.platformUnits.filter { !["alloy.service", "filebeat-app.service"].contains($0.unit) }
        let report = Self.report(installedGiB: 3, units: units)
        #expect(report.application.budgetBytes == 3 * Self.gib - 150 * Self.mib - Self.management
            - (Self.monitoring - 356 * Self.mib) - 100 * Self.mib)
    }

    @Test("application units with an expected size: classified, and over it when larger")
    func applicationExpected() throws {
        var config = BudgetConfig.platformDefault
        config.application.units = [UnitRule("shop", expected: 1536 * Self.mib)]
        #expect(config.classify(unit: "shop.service") == (.application, 1536 * Self.mib))
        #expect(config.classify(unit: "other.service") == (.application, nil))
        #expect(config.classify(unit: "telegraf.service") == (.monitoring, 256 * Self.mib))
        let units = [BudgetRuleTests.service("shop.service", current: 1600 * Self.mib),
                     BudgetRuleTests.service("other.service", current: 10 * Self.mib)]
        let report = Self.report(installedGiB: 4, units: units, config: config)
        let shop = try #require(report.application.units.first { $0.unit == "shop.service" })
        #expect(shop.expectedBytes == 1536 * Self.mib)
        #expect(shop.overBytes == 64 * Self.mib)
        #expect(report.application.units.first { $0.unit == "other.service" }?.overBytes == 0)
    }

    @Test("a memory.current of 2^64-1 saturates the sums instead of trapping")
    func saturatingSums() throws {
        let units = [BudgetRuleTests.service("telegraf.service", current: .max),
                     BudgetRuleTests.service("sensu-client.service", current: .max),
                     BudgetRuleTests.service("app.service", current: .max),
                     BudgetRuleTests.service("app2.service", current: .max)]
        let report = Self.report(installedGiB: 3, units: units)
        #expect(try #require(report.category(.monitoring)).actualBytes == .max)
        #expect(report.application.actualBytes == .max)
        #expect(try #require(report.application.headroomBytes) < 0)
        var record = BudgetRecord(startedAtMs: 0)
        record.observe(report, nowMs: 1_000)
        #expect(record.units["telegraf.service"]?.peakBytes == .max)
        #expect(MetricsSnapshot(daemon: nil, system: BudgetRuleTests.system(installed: 3 * Self.gib, memTotal: 2 * Self.gib),
                                budget: report, incidents: nil).families.isEmpty == false)
    }

    @Test("NixOS platform unit names fall in their categories",
          arguments: [
              ("telegraf.service", BudgetCategory.monitoring), ("sensu-client.service", .monitoring),
              ("sensu-agent.service", .monitoring), ("filebeat.service", .monitoring),
              ("filebeat-journal.service", .monitoring), ("alloy.service", .monitoring),
              ("fail2ban.service", .monitoring), ("systemd-journald.service", .monitoring),
              ("nix-daemon.service", .management), ("nix-gc.service", .management),
              ("nix-optimise.service", .management), ("nixos-upgrade.service", .management),
              ("fc-agent.service", .management), ("fc-collect-garbage.service", .management),
              ("fc-update-channel.service", .management), ("fc-manage.service", .management),
              ("sshd.service", .userland), ("systemd-logind.service", .userland), ("dbus.service", .userland),
              ("nscd.service", .userland), ("systemd-timesyncd.service", .userland), ("chronyd.service", .userland),
              ("qemu-guest-agent.service", .userland), ("user@1000.service", .userland),
              ("session-3.scope", .userland), ("init.scope", .userland), ("serial-getty@ttyS0.service", .userland),
              ("postgresql.service", .application), ("nginx.service", .application),
              ("telegraf-extra.service", .application),
          ])
    func nixosNames(unit: String, category: BudgetCategory) {
        #expect(BudgetConfig.platformDefault.classify(unit: unit).category == category)
    }
}

@Suite("Budget config keys")
struct BudgetConfigKeyTests {
    @Test("application units, cache sharing and warn_after_minutes are read, and shown by config show")
    func keys() throws {
        let config = try HeadroomConfig.parse(Array("""
            {"budget": {"warn_after_minutes": 30, "record_interval_seconds": 5, "categories": {
              "cache": {"shares_management_reserve": false},
              "application": {"units": [{"match": "shop", "expected": "1.5GiB"}]}}}}
            """.utf8))
        #expect(config.budget.warnAfterMinutes == 30)
        #expect(config.budget.recordIntervalSeconds == 5)
        #expect(config.budget.cacheSharesManagementReserve == false)
        #expect(config.budget.classify(unit: "shop.service") == (.application, 1536 << 20))
        #expect(try HeadroomConfig.parse(Array(config.jsonValue.rendered().utf8)) == config)
    }

    @Test("a pattern in a platform category and in application is refused")
    func patternTwice() {
        #expect(throws: ConfigError.self) {
            try HeadroomConfig.parse(Array("""
                {"budget": {"categories": {"application": {"units": [{"match": "telegraf", "expected": "1GiB"}]}}}}
                """.utf8))
        }
    }
}
