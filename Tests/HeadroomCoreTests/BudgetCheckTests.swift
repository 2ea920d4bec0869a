import HeadroomCore
import Testing

/// `headroom check`'s budget rule: over budget is a WARNING only while memory is short or once
/// it has lasted; the daemon's record says how long.
@Suite("Budget record and check rules")
struct BudgetCheckTests {
    static let mib: UInt64 = 1 << 20
    static let minute: Int64 = 60_000

    /// 3 GiB with telegraf at `telegraf` MiB and an application at `app` MiB.
    static func report(telegraf: UInt64 = 100, app: UInt64 = 200) -> BudgetReport {
        BudgetModelTests.report(installedGiB: 3, units: [
            BudgetRuleTests.service("telegraf.service", current: telegraf * mib),
            BudgetRuleTests.service("app.service", current: app * mib),
        ])
    }

    static func meminfo(availablePercent: UInt64) -> Meminfo {
        var info = Meminfo()
        info.memTotal = 3_000 * mib
        info.memAvailable = 30 * availablePercent * mib
        return info
    }

    @Test("the record keeps peaks and since when a line has been over; a unit gone is no longer over")
    func recordPeaksAndOverages() throws {
        var record = BudgetRecord(startedAtMs: 0)
        record.observe(Self.report(telegraf: 300), nowMs: 1 * Self.minute)
        record.observe(Self.report(telegraf: 400), nowMs: 2 * Self.minute)
        record.observe(Self.report(telegraf: 350), nowMs: 3 * Self.minute)
        let telegraf = try #require(record.units["telegraf.service"])
        #expect(telegraf.peakBytes == 400 * Self.mib)
        #expect(telegraf.peakAtMs == 2 * Self.minute)
        #expect(telegraf.overSinceMs == 1 * Self.minute)
        #expect(record.overFor(telegraf, nowMs: 4 * Self.minute, staleAfterMs: 3 * Self.minute) == 3 * Self.minute)
        #expect(record.overFor(telegraf, nowMs: 7 * Self.minute, staleAfterMs: 3 * Self.minute) == nil)

        record.observe(Self.report(telegraf: 100), nowMs: 4 * Self.minute)
        #expect(record.units["telegraf.service"]?.overSinceMs == nil)
        #expect(record.units["telegraf.service"]?.peakBytes == 400 * Self.mib)
        record.observe(Self.report(telegraf: 300), nowMs: 5 * Self.minute)
        record.observe(BudgetModelTests.report(installedGiB: 3, units: []), nowMs: 6 * Self.minute)
        #expect(record.units["telegraf.service"]?.overSinceMs == nil)

        let parsed = try BudgetRecord.parse(Array(record.jsonValue.rendered().utf8))
        #expect(parsed == record)
        let peaks = Self.report(telegraf: 50).withPeaks(from: record)
        #expect(peaks.category(.monitoring)?.units.first?.peakBytes == 400 * Self.mib)
        #expect(peaks.application.units.first?.peakBytes == 200 * Self.mib)
    }

    @Test("a malformed record is refused naming the key")
    func malformedRecord() {
        #expect(throws: BudgetRecordFormatError(reason: "units.a.peak_bytes: missing")) {
            try BudgetRecord.parse(Array("""
                {"schema":1,"started_at_ms":0,"updated_at_ms":0,"categories":{},"units":{"a":{"peak_at_ms":0,"last_seen_ms":0}}}
                """.utf8))
        }
        #expect(throws: BudgetRecordFormatError(reason: "schema: only schema 1 is read")) {
            try BudgetRecord.parse(Array(#"{"schema":2}"#.utf8))
        }
    }

    @Test("over budget, memory not short, not lasted: a note, not a warning")
    func overButCalm() throws {
        let overages = BudgetCheck.overages(Self.report(telegraf: 300), record: nil, nowMs: 0,
                                            settings: BudgetCheck.Settings())
        #expect(overages.map(\.subject) == ["telegraf.service (monitoring)"])
        let shortage = BudgetCheck.shortage(meminfo: Self.meminfo(availablePercent: 50), level: .calm,
                                            settings: BudgetCheck.Settings())
        #expect(shortage == nil)
        let (warn, text) = BudgetCheck.judge(overages[0], shortage: shortage, settings: BudgetCheck.Settings())
        #expect(!warn)
        #expect(text == "budget: telegraf.service (monitoring) over its budget: 300 MiB of 256 MiB for an unknown "
            + "time (no current budget record); no warning: memory is not short and it has not lasted 15 min")
    }

    @Test("over budget while memory is short (available memory or the daemon's level): a warning naming it")
    func overWhileShort() throws {
        let settings = BudgetCheck.Settings()
        let overage = try #require(BudgetCheck.overages(Self.report(telegraf: 300), record: nil, nowMs: 0,
                                                        settings: settings).first)
        let low = BudgetCheck.shortage(meminfo: Self.meminfo(availablePercent: 10), level: nil, settings: settings)
        #expect(low == "MemAvailable 300 MiB is 10 % of MemTotal, at or below 20 %")
        let (warn, text) = BudgetCheck.judge(overage, shortage: low, settings: settings)
        #expect(warn)
        #expect(text == "telegraf.service (monitoring) over its budget: 300 MiB of 256 MiB while memory is short "
            + "(MemAvailable 300 MiB is 10 % of MemTotal, at or below 20 %)")
        let level = BudgetCheck.shortage(meminfo: Self.meminfo(availablePercent: 50), level: .elevated, settings: settings)
        #expect(level == "the daemon's level is elevated")
    }

    @Test("over budget for warn_after_minutes by a current record: a warning; by a stale one: a note")
    func overForLong() throws {
        var record = BudgetRecord(startedAtMs: 0)
        record.observe(Self.report(telegraf: 300), nowMs: 0)
        record.observe(Self.report(telegraf: 300), nowMs: 16 * Self.minute)
        let settings = BudgetCheck.Settings()
        let now = 16 * Self.minute + 30_000
        let overage = try #require(BudgetCheck.overages(Self.report(telegraf: 300), record: record, nowMs: now,
                                                        settings: settings).first)
        #expect(overage.overForMs == now)
        let (warn, text) = BudgetCheck.judge(overage, shortage: nil, settings: settings)
        #expect(warn)
        #expect(text == "telegraf.service (monitoring) over its budget: 300 MiB of 256 MiB for 16 min (warn after 15 min)")

        let stale = try #require(BudgetCheck.overages(Self.report(telegraf: 300), record: record,
                                                      nowMs: 30 * Self.minute, settings: settings).first)
        #expect(stale.overForMs == nil)
        #expect(!BudgetCheck.judge(stale, shortage: nil, settings: settings).warn)
    }

    @Test("applications over what the model leaves them, and an application over its own expected size")
    func applications() throws {
        var config = BudgetConfig.platformDefault
        config.application.units = [UnitRule("shop", expected: 256 * Self.mib)]
        let report = BudgetModelTests.report(installedGiB: 3, units: [
            BudgetRuleTests.service("shop.service", current: 1800 * Self.mib)], config: config)
        let subjects = BudgetCheck.overages(report, record: nil, nowMs: 0, settings: BudgetCheck.Settings())
            .map(\.subject)
        #expect(subjects == ["shop.service (application)", "applications"])
    }
}
