#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

@Suite("incident retention when the wall clock was wrong")
struct IncidentRetentionClockTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_800_000_000_000
    static let boot = BootClock(id: "this-boot", startedAtMs: now - 3_600_000)

    static func mtimeMs(_ path: String) -> Int64 {
        var info = stat()
        _ = stat(path, &info)
        return Int64(info.st_mtim.tv_sec) * 1000
    }

    @Test("an incident of this boot dated before NTP set the clock is not older than the boot")
    func beforeNtpInThisBoot() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 500, keepDays: 2)
        // The clock said 200 days ago when it was written, an hour into a boot; NTP fixed it since.
        try store.write(incident("early", startedAtMs: Self.now - 200 * Self.day), host: "h", bootId: "this-boot")
        try store.write(incident("stale", startedAtMs: Self.now - 200 * Self.day), host: "h", bootId: "old-boot")
        #expect(store.prune(nowMs: Self.now, boot: Self.boot) == [scratch.path + "/stale.json"])
        #expect(store.prune(nowMs: Self.now + 3 * Self.day, boot: Self.boot) == [scratch.path + "/early.json"])
    }

    @Test("one dated 2100 is kept keepDays from when it was first seen, not forever; one dated 1970 as well")
    func implausibleDates() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 500, keepDays: 2)
        let future = try store.write(incident("future", startedAtMs: 4_102_444_800_000), host: "h", bootId: "b1")
        let ancient = try store.write(incident("ancient", startedAtMs: 60_000), host: "h", bootId: "b2")
        for file in [future, ancient] {
            var times = [timespec(tv_sec: 4_102_444_800, tv_nsec: 0), timespec(tv_sec: 4_102_444_800, tv_nsec: 0)]
            if file == ancient { times = [timespec(tv_sec: 60, tv_nsec: 0), timespec(tv_sec: 60, tv_nsec: 0)] }
            #expect(utimensat(AT_FDCWD, file, times, 0) == 0)
        }
        #expect(store.prune(nowMs: Self.now, boot: Self.boot).isEmpty)
        #expect(Self.mtimeMs(future) == Self.now && Self.mtimeMs(ancient) == Self.now)
        #expect(store.prune(nowMs: Self.now + Self.day, boot: Self.boot).isEmpty)
        #expect(Set(store.prune(nowMs: Self.now + 3 * Self.day, boot: Self.boot)) == [future, ancient])
    }

    @Test("a 2100 date does not hold a place in keepCount over real incidents for ever")
    func futureDateAndCount() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 1, keepDays: 90)
        let future = try store.write(incident("future", startedAtMs: 4_102_444_800_000), host: "h", bootId: "b1")
        _ = store.prune(nowMs: Self.now - Self.day, boot: Self.boot)
        try store.write(incident("real", startedAtMs: Self.now - 60_000), host: "h", bootId: "this-boot")
        #expect(store.prune(nowMs: Self.now, boot: Self.boot) == [future])
    }

    @Test("while the clock itself is not set (before 2024), nothing is pruned")
    func clockNotSet() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 0, keepDays: 0)
        try store.write(incident("any", startedAtMs: Self.now), host: "h", bootId: "b")
        #expect(store.prune(nowMs: 30_000_000, boot: nil).isEmpty)
    }
}
