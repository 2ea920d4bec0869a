#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

/// The daemon's budget record on disk: what `headroom budget` and `headroom check` read.
@Suite("BudgetRecorder and BudgetRecordFile")
struct BudgetRecorderTests {
    static let mib: UInt64 = 1 << 20

    static func report(telegrafMiB: UInt64) -> BudgetReport {
        var info = Meminfo()
        info.memTotal = 3 << 30 - 100 * mib
        info.memAvailable = 1 << 30
        let system = SystemSample(meminfo: info, pressure: Pressure(), vmstat: Vmstat(), swaps: [], swappiness: 1,
                                  installed: InstalledMemory(bytes: 3 << 30, source: .memoryBlocks))
        let telegraf = ServiceSample(unit: "telegraf.service", cgroupPath: "system.slice/telegraf.service",
                                     current: telegrafMiB * mib, swapCurrent: 0, stat: CgroupMemoryStat(),
                                     pressure: nil, events: CgroupMemoryEvents())
        return BudgetReport.compute(system: system, services: [telegraf], perServiceAvailable: true,
                                    config: .platformDefault)
    }

    @Test("writes on the first report, when an overage starts or ends, and every interval; 0644; a new recorder continues it")
    func writesWhenDue() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = BudgetRecordFile(path: directory + "/budget")
        let recorder = BudgetRecorder(file: file, nowMs: 0, writeIntervalMs: 60_000)
        #expect(try file.read() == nil)

        #expect(recorder.observe(Self.report(telegrafMiB: 100), nowMs: 1_000) == nil)
        #expect(try file.read()?.updatedAtMs == 1_000)
        recorder.observe(Self.report(telegrafMiB: 200), nowMs: 2_000) // not due, nothing started
        #expect(try file.read()?.updatedAtMs == 1_000)
        recorder.observe(Self.report(telegrafMiB: 300), nowMs: 3_000) // telegraf goes over 256 MiB
        #expect(try file.read()?.units["telegraf.service"]?.overSinceMs == 3_000)
        recorder.observe(Self.report(telegrafMiB: 310), nowMs: 63_000) // due
        let written = try #require(try file.read())
        #expect(written.updatedAtMs == 63_000)
        #expect(written.units["telegraf.service"]?.peakBytes == 310 * Self.mib)
        var info = stat()
        #expect(stat(file.path, &info) == 0 && info.st_mode & 0o777 == 0o644)

        let restarted = BudgetRecorder(file: file, nowMs: 70_000)
        #expect(restarted.record.startedAtMs == 0)
        #expect(restarted.record.units["telegraf.service"]?.overSinceMs == 3_000)
    }

    @Test("a file that is not a record is named with the reason")
    func malformed() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("{\"schema\":1}".utf8).write(to: URL(fileURLWithPath: directory + "/budget"))
        #expect(throws: BudgetRecordFileError(description: "\(directory)/budget: not a budget record: started_at_ms: missing")) {
            try BudgetRecordFile(path: directory + "/budget").read()
        }
    }
}
