import HeadroomCore
import Testing

/// The budget rules of DESIGN §4 on hand-made samples (the captured guest is in HeadroomCLITests).
@Suite("Budget rules")
struct BudgetRuleTests {
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30

    static func system(installed: UInt64, memTotal: UInt64, activeFile: UInt64 = 300 << 20,
                       inactiveFile: UInt64 = 200 << 20) -> SystemSample {
        var info = Meminfo()
        info.memTotal = memTotal
        info.memAvailable = memTotal / 2
        info.activeFile = activeFile
        info.inactiveFile = inactiveFile
        return SystemSample(meminfo: info, pressure: Pressure(), vmstat: Vmstat(), swaps: [], swappiness: 1,
                            installed: InstalledMemory(bytes: installed, source: .memoryBlocks))
    }

    static func service(_ unit: String, current: UInt64, inactiveFile: UInt64 = 0) -> ServiceSample {
        var stat = CgroupMemoryStat()
        stat.inactiveFile = inactiveFile
        return ServiceSample(unit: unit, cgroupPath: "system.slice/\(unit)", current: current, swapCurrent: 0,
                             stat: stat, pressure: nil, events: CgroupMemoryEvents())
    }

    @Test("kernel: max(150 MiB, 2 % of installed); actual = installed - MemTotal")
    func kernel() throws {
        let small = BudgetReport.compute(system: Self.system(installed: 3 * Self.gib, memTotal: 3 * Self.gib - 140 * Self.mib),
                                         services: [], perServiceAvailable: true, config: .platformDefault)
        let kernel = try #require(small.category(.kernel))
        #expect(kernel.expectedBytes == 150 * Self.mib)
        #expect(kernel.actualBytes == 140 * Self.mib)
        #expect(kernel.overBytes == 0)
        let large = BudgetReport.compute(system: Self.system(installed: 64 * Self.gib, memTotal: 62 * Self.gib),
                                         services: [], perServiceAvailable: true, config: .platformDefault)
        let largeKernel = try #require(large.category(.kernel))
        #expect(largeKernel.expectedBytes == UInt64((Double(64 * Self.gib) * 0.02).rounded()))
        #expect(largeKernel.actualBytes == 2 * Self.gib)
        #expect(largeKernel.overBytes == 2 * Self.gib - largeKernel.expectedBytes!)
    }

    @Test("units: working set = current - inactive_file; over only where expected")
    func unitsAndApplication() throws {
        let services = [
            Self.service("telegraf.service", current: 320 * Self.mib, inactiveFile: 20 * Self.mib),
            Self.service("filebeat-a.service", current: 50 * Self.mib),
            Self.service("filebeat-b.service", current: 150 * Self.mib),
            Self.service("nix-daemon.service", current: 600 * Self.mib),
            Self.service("sshd.service", current: 8 * Self.mib),
            Self.service("app.service", current: 700 * Self.mib, inactiveFile: 100 * Self.mib),
            Self.service("cachey.service", current: 10 * Self.mib, inactiveFile: 30 * Self.mib),
        ]
        let report = BudgetReport.compute(system: Self.system(installed: 4 * Self.gib, memTotal: 4 * Self.gib - 150 * Self.mib),
                                          services: services, perServiceAvailable: true, config: .platformDefault)
        let monitoring = try #require(report.category(.monitoring))
        #expect(monitoring.expectedBytes == (256 + 100 + 100) * Self.mib)
        #expect(monitoring.actualBytes == (300 + 50 + 150) * Self.mib)
        #expect(monitoring.units.map(\.unit) == ["telegraf.service", "filebeat-b.service", "filebeat-a.service"])
        #expect(monitoring.units[0].overBytes == 44 * Self.mib)
        #expect(monitoring.units[1].overBytes == 50 * Self.mib)
        #expect(monitoring.units[2].overBytes == 0)
        let management = try #require(report.category(.management))
        #expect(management.expectedBytes == 1_181_116_006)
        #expect(management.actualBytes == 600 * Self.mib)
        #expect(management.units.first?.expectedBytes == nil)
        #expect(management.units.first?.overBytes == 0)
        let cache = try #require(report.category(.cache))
        #expect(cache.expectedBytes == Self.gib)
        #expect(cache.actualBytes == 500 * Self.mib)
        #expect(cache.overBytes == nil)
        // The 1 GiB cache target fits in the 1.1 GiB management reserve: nothing on top for it.
        #expect(cache.countedBytes == 0)
        let reserved = 150 * Self.mib + 1_181_116_006 + 456 * Self.mib + 100 * Self.mib
        #expect(report.application.budgetBytes == 4 * Self.gib - reserved)
        // cachey's inactive_file exceeds current: its working set is 0, not negative.
        #expect(report.application.units.map(\.actualBytes) == [600 * Self.mib, 0])
        #expect(report.application.actualBytes == 600 * Self.mib)
        #expect(report.application.headroomBytes == Int64(4 * Self.gib - reserved) - Int64(600 * Self.mib))
    }

    @Test("the application budget never goes below zero")
    func applicationBudgetFloor() {
        let report = BudgetReport.compute(system: Self.system(installed: Self.gib, memTotal: Self.gib - 150 * Self.mib),
                                          services: [], perServiceAvailable: true, config: .platformDefault)
        #expect(report.application.budgetBytes == 0)
    }

    @Test("without per-service figures, what depends on them is unknown, not zero")
    func perServiceUnavailable() throws {
        let report = BudgetReport.compute(system: Self.system(installed: 3 * Self.gib, memTotal: 3 * Self.gib - 150 * Self.mib),
                                          services: [Self.service("telegraf.service", current: 1)],
                                          perServiceAvailable: false, config: .platformDefault)
        #expect(try #require(report.category(.monitoring)).expectedBytes == nil)
        #expect(try #require(report.category(.monitoring)).actualBytes == nil)
        #expect(try #require(report.category(.management)).expectedBytes == 1_181_116_006)
        #expect(report.application.budgetBytes == nil)
        #expect(report.application.actualBytes == nil)
        #expect(try #require(report.category(.cache)).actualBytes == 500 * Self.mib)
    }
}
