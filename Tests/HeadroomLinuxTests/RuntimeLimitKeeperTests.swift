#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import HeadroomTestSupport
import Testing

@Suite("RuntimeLimitKeeper and its record in the state directory")
struct RuntimeLimitKeeperTests {
    static let mib: UInt64 = 1 << 20
    let directory = FileManager.default.temporaryDirectory.path + "/headroom-limits-" + UUID().uuidString
    var store: RuntimeLimitStore { RuntimeLimitStore(stateDirectory: directory) }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    @Test("apply sets the values, records them with the unit's own, and release puts the unit's own back")
    func applyThenRelease() throws {
        defer { cleanUp() }
        let systemd = FakeSystemd(units: ["db.service": [.memoryHigh: 900 * Self.mib, .memoryMax: RuntimeLimit.infinity]])
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        let limit = try keeper.apply(unit: "db.service", purpose: .contain,
                                     values: [.memoryHigh: 600 * Self.mib, .memoryMax: 700 * Self.mib], nowMs: 42, incidentID: "i-7")
        #expect(systemd.units["db.service"] == [.memoryHigh: 600 * Self.mib, .memoryMax: 700 * Self.mib])
        #expect(limit.previous == [.memoryHigh: 900 * Self.mib, .memoryMax: RuntimeLimit.infinity])
        #expect(try store.load()["db.service"] == limit)
        var info = stat()
        #expect(stat(store.path, &info) == 0 && info.st_mode & 0o777 == 0o644)

        let released = try keeper.release(unit: "db.service")
        #expect(!released.unitGone)
        #expect(released.sentence == "released db.service (contain): MemoryHigh=900 MiB, MemoryMax=infinity (runtime)")
        #expect(systemd.units["db.service"] == [.memoryHigh: 900 * Self.mib, .memoryMax: RuntimeLimit.infinity])
        #expect(try store.load().isEmpty)
        #expect(throws: RuntimeLimitError.notRecorded(unit: "db.service")) { try keeper.release(unit: "db.service") }
    }

    @Test("a refused SetUnitProperties records nothing; a refused lift keeps the record for a later try")
    func refusals() throws {
        defer { cleanUp() }
        let systemd = FakeSystemd(units: ["a.service": FakeSystemd.unlimited])
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        systemd.refusing = ["a.service"]
        do {
            _ = try keeper.apply(unit: "a.service", purpose: .throttle, values: [.memoryHigh: 5 * Self.mib], nowMs: 1)
            Issue.record("apply succeeded")
        } catch {
            #expect(error.description == "cannot set on a.service: org.freedesktop.DBus.Error.AccessDenied: Access denied")
        }
        #expect(try store.load().isEmpty)
        systemd.refusing = []
        _ = try keeper.apply(unit: "a.service", purpose: .throttle, values: [.memoryHigh: 5 * Self.mib], nowMs: 1)
        systemd.refusing = ["a.service"]
        #expect(throws: RuntimeLimitError.self) { try keeper.release(unit: "a.service") }
        #expect(try store.load()["a.service"] != nil)
    }

    @Test("a unit systemd no longer knows is forgotten on release, with nothing lifted")
    func unitGone() throws {
        defer { cleanUp() }
        let systemd = FakeSystemd(units: ["run-u7.scope": FakeSystemd.unlimited])
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        _ = try keeper.apply(unit: "run-u7.scope", purpose: .contain, values: [.memoryMax: 64 * Self.mib], nowMs: 1)
        systemd.units["run-u7.scope"] = nil
        let released = try keeper.release(unit: "run-u7.scope")
        #expect(released.unitGone)
        #expect(released.sentence.hasPrefix("forgot run-u7.scope (contain): systemd no longer knows the unit"))
        #expect(try store.load().isEmpty)
    }

    @Test("on daemon stop only throttles are lifted; containments stay until released")
    func stopLiftsThrottlesOnly() throws {
        defer { cleanUp() }
        let systemd = FakeSystemd(units: ["t1.service": FakeSystemd.unlimited, "t2.service": FakeSystemd.unlimited,
                                          "c.service": FakeSystemd.unlimited])
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        for unit in ["t1.service", "t2.service"] {
            _ = try keeper.apply(unit: unit, purpose: .throttle, values: [.memoryHigh: 100 * Self.mib], nowMs: 1)
        }
        _ = try keeper.apply(unit: "c.service", purpose: .contain, values: [.memoryMax: 200 * Self.mib], nowMs: 1)
        systemd.units["t2.service"] = nil
        let results = try keeper.releaseAll(purpose: .throttle)
        #expect(results.map(\.unit) == ["t1.service", "t2.service"])
        #expect(systemd.units["t1.service"] == FakeSystemd.unlimited)
        #expect(systemd.units["c.service"]?[.memoryMax] == 200 * Self.mib)
        #expect(try store.load().sorted.map(\.unit) == ["c.service"])
    }

    @Test("a damaged record is an error naming the file, and is not overwritten")
    func damagedRecord() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("{\"version\": 1, \"units\": [{}]}".utf8).write(to: URL(fileURLWithPath: store.path))
        let keeper = RuntimeLimitKeeper(systemd: FakeSystemd(units: ["a.service": FakeSystemd.unlimited]), store: store)
        do {
            _ = try keeper.apply(unit: "a.service", purpose: .throttle, values: [.memoryHigh: 1], nowMs: 1)
            Issue.record("applied over a damaged record")
        } catch {
            #expect(error.description.contains(store.path + ": units[0]: 'unit' must be a string"))
        }
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: store.path)), as: UTF8.self).contains("[{}]"))
    }

    @Test("bad unit names never reach systemd")
    func badName() {
        defer { cleanUp() }
        let systemd = FakeSystemd(units: [:])
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        #expect(throws: RuntimeLimitError.self) { try keeper.release(unit: "../etc/passwd") }
        #expect(systemd.calls.isEmpty)
    }
}
