#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomLinux
import Testing

@Suite("AtomicFile: temporary files")
struct AtomicFileTests {
    @Test("a file or symlink planted at the old predictable temporary name neither blocks the write nor is followed")
    func plantedTemporaryName() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-atomic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let victim = directory + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(symlink(victim, directory + "/.incident.json.tmp") == 0)

        try AtomicFile.write("{}\n", to: directory + "/incident.json", mode: 0o640)

        #expect(try String(contentsOfFile: directory + "/incident.json", encoding: .utf8) == "{}\n")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == [".incident.json.tmp", "incident.json", "victim"])
    }
}
