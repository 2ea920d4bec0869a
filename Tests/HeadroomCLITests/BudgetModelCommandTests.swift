import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

private func firstLine(_ text: String) -> String { String(text.prefix { $0 != "\n" }) }

/// The budget model and the check's rules through the commands, on the real 3 GiB capture and
/// on synthetic VMs of 3, 8 and 16 GiB with every platform unit.
@Suite("budget model and check rules, through the commands")
struct BudgetModelCommandTests {
    static let mib: Int64 = 1 << 20

    static func applicationBudget(_ vm: SyntheticVM) throws -> Int64 {
        let result = headroom("budget", "--root", vm.root, "--json")
        #expect(result.code == 0, "\(result.stderr)")
        return try #require(try result.json()["application"]?["budget_bytes"]?.int)
    }

    @Test("3 GiB with every platform unit: 448-576 MiB for applications; 8 and 16 GiB as the model says")
    func applicationBudgets() throws {
        let three = try Self.applicationBudget(SyntheticVM(installedGiB: 3, units: SyntheticVM.platformUnits))
        #expect(three >= 448 * Self.mib && three <= 576 * Self.mib, "\(three)")
        // installed - kernel max(150 MiB, 2 %) - management 1.1 GiB - monitoring 1168 MiB - userland 100 MiB
        let fixed: Int64 = 1_181_116_006 + 1168 * Self.mib + 100 * Self.mib
        #expect(three == (3 << 30) - 150 * Self.mib - fixed)
        for gib: Int64 in [8, 16] {
            let budget = try Self.applicationBudget(SyntheticVM(installedGiB: UInt64(gib),
                                                                units: SyntheticVM.platformUnits))
            let kernel = Int64((Double(gib << 30) * 0.02).rounded())
            #expect(budget == (gib << 30) - kernel - fixed, "\(gib) GiB")
        }
    }

    @Test("check: OK on the real 3 GiB capture with the default config (telegraf's overage is a note)")
    func captureIsOK() throws {
        let scratch = try ScratchDirectory()
        let result = headroom("check", "--root", Fixtures.path("guest-3gib"), "--state-dir", scratch.path,
                              "--daemon-optional")
        #expect(result.code == 0, "\(result.stdout)")
        #expect(firstLine(result.stdout).hasPrefix("OK: "))
        #expect(result.stdout.contains("budget: telegraf.service (monitoring) over its budget: 301 MiB of 256 MiB "
            + "for an unknown time"))
    }

    @Test("check: a healthy NixOS-like 3 GiB VM is OK, a platform agent over its budget only a note")
    func nixosLikeVM() throws {
        let vm = try SyntheticVM(installedGiB: 3, availablePercent: 40, units: [
            ("telegraf.service", 140), ("sensu-client.service", 290), ("filebeat-journal.service", 60),
            ("systemd-journald.service", 40), ("fail2ban.service", 70), ("nix-daemon.service", 25),
            ("fc-agent.service", 45), ("nixos-upgrade.service", 380), ("sshd.service", 6), ("nscd.service", 5),
            ("systemd-logind.service", 3), ("dbus.service", 3), ("user@1000.service", 12), ("session-5.scope", 20),
            ("postgresql.service", 260), ("nginx.service", 40), ("myapp.service", 180),
        ])
        let scratch = try ScratchDirectory()
        let result = headroom("check", "--root", vm.root, "--state-dir", scratch.path, "--daemon-optional")
        #expect(result.code == 0, "\(result.stdout)")
        #expect(result.stdout.contains("budget: sensu-client.service (monitoring) over its budget: 290 MiB of 256 MiB"))
        let budget = try headroom("budget", "--root", vm.root, "--json").json()
        let categories = budget["categories"]?.array ?? []
        func units(_ name: String) -> [String] {
            (categories.first { $0["name"]?.string == name }?["units"]?.array ?? []).compactMap { $0["unit"]?.string }.sorted()
        }
        #expect(units("management") == ["fc-agent.service", "nix-daemon.service", "nixos-upgrade.service"])
        #expect(units("monitoring") == ["fail2ban.service", "filebeat-journal.service", "sensu-client.service",
                                        "systemd-journald.service", "telegraf.service"])
        #expect(units("userland") == ["dbus.service", "nscd.service", "session-5.scope", "sshd.service",
                                      "systemd-logind.service", "user@1000.service"])
        let applications = (budget["application"]?["units"]?.array ?? []).compactMap { $0["unit"]?.string }.sorted()
        #expect(applications == ["myapp.service", "nginx.service", "postgresql.service"])
    }

    /// A 3 GiB VM with every platform unit and the customer's `shop` (budgeted at 512 MiB) at `shopMiB`.
    static func shopVM(shopMiB: UInt64, availablePercent: UInt64) throws -> (SyntheticVM, [String]) {
        let vm = try SyntheticVM(installedGiB: 3, availablePercent: availablePercent,
                                 units: SyntheticVM.platformUnits + [("shop.service", shopMiB)])
        try vm.write("config.json", #"{"budget": {"categories": {"application": {"units": [{"match": "shop", "expected": "512MiB"}]}}}}"#)
        return (vm, ["check", "--root", vm.root, "--config", vm.root + "/config.json", "--state-dir",
                     vm.scratch.path, "--daemon-optional"])
    }

    @Test("budget: application budgets that add up to more than the model leaves are called out")
    func applicationBudgetsTooLarge() throws {
        let vm = try SyntheticVM(installedGiB: 3, units: SyntheticVM.platformUnits + [("shop.service", 400)])
        try vm.write("config.json", #"{"budget": {"categories": {"application": {"units": [{"match": "shop", "expected": "1.5GiB"}]}}}}"#)
        let result = headroom("budget", "--root", vm.root, "--config", vm.root + "/config.json")
        #expect(result.stdout.contains("The application units' own budgets add up to 1.5 GiB, more than the 528 MiB "
            + "the model leaves: this VM is too small for them at their peaks."), "\(result.stdout)")
    }

    @Test("check: an application within its budget is OK")
    func applicationWithin() throws {
        let (vm, args) = try Self.shopVM(shopMiB: 400, availablePercent: 15)
        let result = withExtendedLifetime(vm) { headroom(args) }
        #expect(result.code == 0, "\(result.stdout)")
        #expect(result.stdout.contains("budget: every unit and category within its budget"))
    }

    @Test("check: an application over its budget while memory is short is a WARNING naming unit, budget and size")
    func applicationOverWhileShort() throws {
        let (vm, args) = try Self.shopVM(shopMiB: 700, availablePercent: 15)
        let result = withExtendedLifetime(vm) { headroom(args) }
        #expect(result.code == 1, "\(result.stdout)")
        #expect(firstLine(result.stdout).hasPrefix("WARNING: shop.service (application) over its budget: 700 MiB of "
            + "512 MiB while memory is short (MemAvailable "))
        #expect(firstLine(result.stdout).contains("is 15 % of MemTotal, at or below 20 %)"))
        #expect(firstLine(result.stdout).contains("over_budget_warnings=2;1;;0")) // shop, and applications in total
    }

    @Test("check: over its budget with memory plentiful is OK until the daemon's record says it lasted 15 min")
    func applicationOverForLong() throws {
        let (vm, args) = try Self.shopVM(shopMiB: 700, availablePercent: 60)
        let calm = headroom(args)
        #expect(calm.code == 0, "\(calm.stdout)")
        #expect(calm.stdout.contains("budget: shop.service (application) over its budget: 700 MiB of 512 MiB for an "
            + "unknown time (no current budget record); no warning"))

        try vm.write("run/headroom/.created", "") // RuntimeDirectory= on a host
        let now = Clock.wallClockMs()
        let line = BudgetRecord.Line(peakBytes: 720 << 20, peakAtMs: now - 60_000, overSinceMs: now - 20 * 60_000,
                                     lastSeenMs: now - 30_000)
        try BudgetRecordFile(paths: KernelPaths(root: vm.root))
            .write(BudgetRecord(startedAtMs: now - 3_600_000, updatedAtMs: now - 30_000, units: ["shop.service": line]))
        let lasting = headroom(args)
        #expect(lasting.code == 1, "\(lasting.stdout)")
        #expect(firstLine(lasting.stdout).hasPrefix(
            "WARNING: shop.service (application) over its budget: 700 MiB of 512 MiB for 20 min (warn after 15 min)"))
        let budget = headroom("budget", "--root", vm.root, "--config", vm.root + "/config.json")
        #expect(!budget.stdout.contains("too small"), "512 MiB fits in the 528 MiB the model leaves")
        let shopRow = budget.stdout.split(separator: "\n").first { $0.contains("shop.service") }
        #expect(shopRow?.split(separator: " ").joined(separator: " ") == "shop.service 512 MiB 700 MiB 720 MiB 188 MiB")
        // Lines the record does not have show no peak rather than a made-up one.
        let telegrafRow = budget.stdout.split(separator: "\n").first { $0.contains("telegraf.service") }
        #expect(telegrafRow?.split(separator: " ").joined(separator: " ") == "telegraf.service 256 MiB 120 MiB - -")
    }

    @Test("a memory.current of 2^64-1 (a fixture copy): budget, check, metrics and status answer, none traps")
    func saturatedCgroupFile() throws {
        let scratch = try ScratchDirectory()
        let root = try scratch.copy(fixture: "guest-3gib")
        for unit in ["telegraf.service", "app-web.service", "postgresql.service"] {
            _ = try scratch.write("guest-3gib/sys/fs/cgroup/system.slice/\(unit)/memory.current", "18446744073709551615\n")
        }
        // The parser refuses the value (issue 13), so the three units are left out, named, and the
        // sums over the rest stay real; the budget's own sums saturate for what gets through.
        let budget = headroom("budget", "--root", root, "--json")
        #expect(budget.code == 0, "\(budget.stderr)")
        #expect(budget.stderr.contains("telegraf.service/memory.current:1: 18446744073709551615 is an implausible value"))
        let applications = try #require(try budget.json()["application"]?["actual_bytes"]?.int)
        #expect(applications > 0 && applications < 1 << 30)
        let check = headroom("check", "--root", root, "--state-dir", scratch.path, "--daemon-optional")
        #expect([0, 1].contains(check.code), "\(check.stdout)")
        #expect(!check.stdout.contains("PiB"))
        #expect(headroom("metrics", "--root", root, "--state-dir", scratch.path).code == 0)
        #expect(headroom("status", "--root", root).code == 0)
    }
}
