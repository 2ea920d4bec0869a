import HeadroomCore
import Testing

@Suite("Sizes, unit names and patterns")
struct ByteSizeAndNameTests {
    @Test(arguments: [
        ("256MiB", UInt64(256) << 20), ("1.1GiB", 1_181_116_006), ("512 K", 512 << 10), ("100", 100),
        ("0B", 0), ("2 TiB", 2 << 40), ("1.5 M", 1_572_864),
    ])
    func parsesSizes(_ text: String, _ bytes: UInt64) throws {
        #expect(try ByteSize.parse(text).get() == bytes)
    }

    @Test(arguments: ["", "MiB", "1..5GiB", ".5GiB", "5.GiB", "12XB", "1 GB", "-1MiB", "1e3"])
    func refusesBadSizes(_ text: String) {
        #expect(throws: ByteSize.SizeError.self) { try ByteSize.parse(text).get() }
    }

    @Test func formatsForPeople() {
        #expect(ByteSize.format(900) == "900 B")
        #expect(ByteSize.format(256 << 20) == "256 MiB")
        #expect(ByteSize.format(1_181_116_006) == "1.1 GiB")
        #expect(ByteSize.format(1536) == "1.5 KiB")
        #expect(ByteSize.format(signed: -(150 << 20)) == "-150 MiB")
    }

    @Test func patternsMatchStemOrFullName() throws {
        let stem = try #require(UnitPattern("fc-manage*"))
        #expect(stem.matches("fc-manage-update.service"))
        #expect(stem.matches("fc-manage.service"))
        #expect(!stem.matches("fc-agent.service"))
        let full = try #require(UnitPattern("session-*.scope"))
        #expect(full.matches("session-12.scope"))
        #expect(!full.matches("session-12.service"))
        let exact = try #require(UnitPattern("telegraf"))
        #expect(exact.matches("telegraf.service"))
        #expect(!exact.matches("telegraf2.service"))
        let question = try #require(UnitPattern("getty@tty?"))
        #expect(question.matches("getty@tty1.service"))
        #expect(!question.matches("getty@tty10.service"))
        #expect(UnitPattern("a/b") == nil)
        #expect(UnitPattern("") == nil)
    }

    @Test func unitNames() {
        #expect(UnitName.validationError("nginx.service") == nil)
        #expect(UnitName.validationError("system-serial\\x2dgetty.slice") == nil)
        #expect(UnitName.validationError("getty@tty1.service") == nil)
        #expect(UnitName.validationError("nginx") != nil)
        #expect(UnitName.validationError("a@b@c.service") != nil)
        #expect(UnitName.validationError("bad name.service") != nil)
        #expect(UnitName.validationError(".service") != nil)
        #expect(UnitName.validationError(String(repeating: "a", count: 300) + ".service") != nil)
    }

    @Test func cgroupDirectories() {
        #expect(CgroupDirectoryKind.of(directoryName: "system.slice") == .slice)
        #expect(CgroupDirectoryKind.of(directoryName: "system-getty.slice") == .slice)
        #expect(CgroupDirectoryKind.of(directoryName: "getty@tty1.service") == .unit)
        #expect(CgroupDirectoryKind.of(directoryName: "session-3.scope") == .unit)
        #expect(CgroupDirectoryKind.of(directoryName: "init.scope") == .unit)
        #expect(CgroupDirectoryKind.of(directoryName: "payload") == .other)
        #expect(CgroupDirectoryKind.of(directoryName: "dev-hugepages.mount") == .other)
    }
}
