import FoundationEssentials
import HeadroomCore
import Testing

/// `headroom budget` on the captured 3 GiB guest with platform-named services: every unit in
/// its category and every figure following the rules, recomputed here from the raw files.
@Suite("headroom budget on the captured guest")
struct BudgetCommandTests {
    static let root = Fixtures.path("guest-3gib")
    static let mib: Int64 = 1 << 20

    static func file(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)), as: UTF8.self)
    }

    static func kib(_ key: String) throws -> Int64 {
        let line = try file("proc/meminfo").split(separator: "\n").first { $0.hasPrefix(key + ":") }!
        return Int64(line.split(separator: " ")[1])! * 1024
    }

    /// memory.current - inactive_file, read the plain way.
    static func workingSet(_ cgroup: String) throws -> Int64 {
        let current = Int64(try file("sys/fs/cgroup/\(cgroup)/memory.current").dropLast())!
        let inactive = Int64(try file("sys/fs/cgroup/\(cgroup)/memory.stat").split(separator: "\n")
            .first { $0.hasPrefix("inactive_file ") }!.split(separator: " ")[1])!
        return max(0, current - inactive)
    }

    static let categoryOf: [String: String] = [
        "nix-daemon.service": "management", "fc-agent.service": "management",
        "fc-manage-update.service": "management", "nix-gc.service": "management",
        "telegraf.service": "monitoring", "sensu-client.service": "monitoring",
        "filebeat-journal.service": "monitoring", "filebeat-app.service": "monitoring",
        "fail2ban.service": "monitoring", "systemd-journald.service": "monitoring",
        "init.scope": "userland", "dbus.service": "userland", "systemd-logind.service": "userland",
        "systemd-udevd.service": "userland",
        "getty@tty1.service": "userland", "serial-getty@ttyS0.service": "userland",
        "app-web.service": "application", "postgresql.service": "application", "worker@1.service": "application",
        "tester-memhog.service": "application", "headroom-e2e.service": "application",
    ]

    static let cgroupOf: [String: String] = [
        "init.scope": "init.scope",
        "getty@tty1.service": "system.slice/system-getty.slice/getty@tty1.service",
        "serial-getty@ttyS0.service": "system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service",
        "worker@1.service": "system.slice/system-worker.slice/worker@1.service",
        "tester-memhog.service": "user.slice/user-1000.slice/tester-memhog.service",
    ]

    static let expectedOf: [String: Int64] = [
        "telegraf.service": 256 * mib, "sensu-client.service": 256 * mib, "filebeat-journal.service": 100 * mib,
        "filebeat-app.service": 100 * mib, "fail2ban.service": 100 * mib, "systemd-journald.service": 100 * mib,
    ]

    @Test("every unit in its category, every figure by the rules")
    func budgetFollowsTheRules() throws {
        let result = headroom("budget", "--root", Self.root, "--json")
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        let installed: Int64 = 3 << 30
        let memTotal = try Self.kib("MemTotal")
        #expect(json["installed_bytes"]?.int == installed)
        #expect(json["mem_total_bytes"]?.int == memTotal)
        #expect(json["per_service_available"] == .bool(true))

        let categories = json["categories"]?.array ?? []
        #expect(categories.compactMap { $0["name"]?.string } == ["kernel", "management", "monitoring", "userland", "cache"])
        var seen: [String: String] = [:]
        var expectedByCategory: [String: Int64] = [:]
        for category in categories + [json["application"].map { app -> JSONValue in
            guard case .object(var fields) = app else { return app }
            fields["name"] = .string("application")
            return .object(fields)
        }!] {
            let name = category["name"]!.string!
            var actualSum: Int64 = 0
            for unit in category["units"]?.array ?? [] {
                let unitName = unit["unit"]!.string!
                seen[unitName] = name
                let cgroup = Self.cgroupOf[unitName] ?? "system.slice/\(unitName)"
                let actual = try Self.workingSet(cgroup)
                #expect(unit["actual_bytes"]?.int == actual, "\(unitName)")
                let expected = Self.expectedOf[unitName]
                #expect(unit["expected_bytes"]?.int == expected, "\(unitName)")
                #expect(unit["over_bytes"]?.int == max(0, actual - (expected ?? actual)), "\(unitName)")
                actualSum += actual
                expectedByCategory[name, default: 0] += expected ?? 0
            }
            if ["management", "monitoring", "userland"].contains(name) || name == "application" {
                #expect(category["actual_bytes"]?.int == actualSum, "\(name)")
            }
        }
        #expect(seen == Self.categoryOf)

        let kernel = categories[0]
        #expect(kernel["expected_bytes"]?.int == 150 * Self.mib) // 2 % of 3 GiB is 61 MiB, below the minimum
        #expect(kernel["actual_bytes"]?.int == installed - memTotal)
        #expect(categories[1]["expected_bytes"]?.int == 1_181_116_006)
        #expect(categories[2]["expected_bytes"]?.int == expectedByCategory["monitoring"])
        #expect(categories[2]["expected_bytes"]?.int == (256 + 256 + 100 + 100 + 100 + 100) * Self.mib)
        #expect(categories[3]["expected_bytes"]?.int == 100 * Self.mib)
        #expect(categories[4]["expected_bytes"]?.int == 1024 * Self.mib)
        #expect(categories[4]["actual_bytes"]?.int == (try Self.kib("Active(file)")) + (try Self.kib("Inactive(file)")))
        let telegraf = categories[2]["units"]?.array.first { $0["unit"]?.string == "telegraf.service" }
        #expect(try #require(telegraf?["over_bytes"]?.int) > 40 * Self.mib)

        // Application: 3 GiB - 150 MiB - 1.1 GiB - 912 MiB (no alloy here) - 100 MiB = 784 MiB; the
        // 1 GiB cache target lives in the management reserve, so nothing is counted for it.
        #expect(categories[4]["counted_bytes"]?.int == 0)
        let reserved = 150 * Self.mib + 1_181_116_006 + 912 * Self.mib + 100 * Self.mib
        #expect(json["application"]?["budget_bytes"]?.int == max(0, installed - reserved))
        let appActual = try #require(json["application"]?["actual_bytes"]?.int)
        #expect(json["application"]?["headroom_bytes"]?.int == max(0, installed - reserved) - appActual)
        #expect(json["unavailable"]?.array.isEmpty == true)
    }

    @Test("the human table names categories, units and the application budget")
    func humanOutput() {
        let result = headroom("budget", "--root", Self.root)
        #expect(result.code == 0)
        #expect(result.stdout.contains("Installed RAM 3 GiB (memory blocks), MemTotal 2.9 GiB"))
        #expect(result.stdout.contains("telegraf.service"))
        #expect(result.stdout.contains("Application budget 784 MiB = installed 3 GiB - kernel 150 MiB - "
            + "management 1.1 GiB - monitoring 912 MiB - userland 100 MiB - cache 0 B (target 1 GiB, the rest held "
            + "in the management reserve)."))
        #expect(result.stdout.contains("(PEAK: no budget record from the daemon.)"))
    }

    @Test("status lists the largest working sets with their category")
    func statusOnGuest() throws {
        let json = try headroom("status", "--root", Self.root, "--json", "--top", "3").json()
        let services = json["services"]?.array ?? []
        #expect(services.compactMap { $0["unit"]?.string } == ["telegraf.service", "app-web.service", "postgresql.service"])
        #expect(services.first?["category"]?.string == "monitoring")
        #expect(json["service_count"]?.int == 21)
        #expect(json["per_service_available"] == .bool(true))
        #expect(json["swap"]?["swappiness"]?.int == 1)
    }
}
