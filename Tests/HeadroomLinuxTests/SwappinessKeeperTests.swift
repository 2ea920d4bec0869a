import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

/// A fake root with `/proc/sys/vm/swappiness` and a boot id, and a state directory beside it.
final class SwappinessRoot {
    let path = FileManager.default.temporaryDirectory.path + "/headroom-swappiness-" + UUID().uuidString
    var state: String { path + "/state" }
    var record: String { state + "/swappiness.original" }
    var paths: KernelPaths { KernelPaths(root: path) }

    init(swappiness: Int, bootId: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/proc/sys/vm", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/proc/sys/kernel/random", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try write("\(swappiness)\n", to: "/proc/sys/vm/swappiness")
        try write(bootId + "\n", to: "/proc/sys/kernel/random/boot_id")
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ text: String, to relative: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + relative))
    }

    var kernelValue: String { (try? String(contentsOfFile: path + "/proc/sys/vm/swappiness", encoding: .utf8)) ?? "" }
}

@Suite("SwappinessKeeper: the original per boot")
struct SwappinessKeeperTests {
    static let bootA = "0d1b2c3a-0000-4000-8000-00000000000a"
    static let bootB = "0d1b2c3a-0000-4000-8000-00000000000b"

    @Test("a crash in the same boot: the next start restores the original the crashed run recorded")
    func sameBootRestores() throws {
        let root = try SwappinessRoot(swappiness: 1, bootId: Self.bootA)
        var (crashed, _) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(try crashed.set(60))
        // No restore: the run died. The next one starts.
        let (keeper, notes) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(keeper.original == 1)
        #expect(root.kernelValue == "1\n")
        #expect(notes.count == 1 && notes[0].contains("restored vm.swappiness=1 (was 60)"))
    }

    @Test("a record from an earlier boot never undoes the value this boot started with")
    func earlierBootIgnored() throws {
        let root = try SwappinessRoot(swappiness: 1, bootId: Self.bootA)
        var (crashed, _) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        try crashed.set(60)
        // Reboot: the platform's sysctl sets 10, and the boot id changes.
        try root.write("10\n", to: "/proc/sys/vm/swappiness")
        try root.write(Self.bootB + "\n", to: "/proc/sys/kernel/random/boot_id")
        var (keeper, notes) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(keeper.original == 10)
        #expect(root.kernelValue == "10\n")
        #expect(notes.count == 1 && notes[0].contains("earlier boot"))
        #expect(try String(contentsOfFile: root.record, encoding: .utf8) == Self.bootB + " 10\n")
        try keeper.set(60)
        #expect(try keeper.restore())
        #expect(root.kernelValue == "10\n")
    }

    @Test("a bare value (the old format, boot unknown) is not restored")
    func legacyRecordIgnored() throws {
        let root = try SwappinessRoot(swappiness: 10, bootId: Self.bootA)
        try root.write("60\n", to: "/state/swappiness.original")
        let (keeper, notes) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(keeper.original == 10)
        #expect(root.kernelValue == "10\n")
        #expect(notes.first?.contains("without a boot id") == true)
    }

    @Test("a record that is not one is moved aside with a message")
    func malformedMovedAside() throws {
        let root = try SwappinessRoot(swappiness: 1, bootId: Self.bootA)
        try root.write("\u{0}\u{1}garbage 999 x\n", to: "/state/swappiness.original")
        let (keeper, notes) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(keeper.original == 1)
        #expect(notes.count == 1 && notes[0].contains("moved aside to \(root.record).bad"))
        #expect(FileManager.default.fileExists(atPath: root.record + ".bad"))
        #expect(try String(contentsOfFile: root.record, encoding: .utf8) == Self.bootA + " 1\n")
    }

    @Test("only real writes: setting the value the kernel holds, or restoring an unchanged one, writes nothing")
    func onlyRealWrites() throws {
        let root = try SwappinessRoot(swappiness: 1, bootId: Self.bootA)
        var (keeper, notes) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(notes.isEmpty)
        #expect(try keeper.set(1) == false)
        #expect(try keeper.set(30))
        #expect(try keeper.set(30) == false)
        #expect(try keeper.restore())
        #expect(root.kernelValue == "1\n")
        #expect(!FileManager.default.fileExists(atPath: root.record))
        var (again, _) = try SwappinessKeeper.take(paths: root.paths, stateDirectory: root.state)
        #expect(try again.restore() == false)
    }
}
