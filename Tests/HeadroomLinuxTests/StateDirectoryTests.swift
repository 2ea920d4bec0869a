#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomLinux
import Testing

@Suite("StateDirectory: owner and mode checked at start")
struct StateDirectoryTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/headroom-state-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = stat(path, &info)
        return info.st_mode & 0o7777
    }

    @Test("missing: created 0750; ours and 0750: accepted silently")
    func createdAndAccepted() throws {
        let parent = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let previous = umask(0)
        defer { umask(previous) }
        #expect(try StateDirectory.prepare(parent + "/state") == nil)
        #expect(Self.mode(parent + "/state") == 0o750)
        #expect(try StateDirectory.prepare(parent + "/state") == nil)
    }

    @Test("writable by others: the write bits are removed and it is said")
    func worldWritableFixed() throws {
        let path = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(chmod(path, 0o777) == 0)
        let note = try StateDirectory.prepare(path)
        #expect(note?.contains("mode 0777") == true && note?.contains("set to 0755") == true)
        #expect(Self.mode(path) == 0o755)
    }

    @Test("owned by another user, a symlink, or a file: refused with the reason")
    func refused() throws {
        let path = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try StateDirectory.prepare(path, owner: geteuid() + 4242) } throws: { error in
            "\(error)".contains("is owned by uid \(geteuid()), not by uid \(geteuid() + 4242)")
        }
        #expect(symlink(path, path + "-link") == 0)
        defer { unlink(path + "-link") }
        #expect { try StateDirectory.prepare(path + "-link") } throws: { "\($0)".contains("symbolic link") }
        try Data().write(to: URL(fileURLWithPath: path + "/file"))
        #expect { try StateDirectory.prepare(path + "/file") } throws: { "\($0)".contains("not a directory") }
    }
}
