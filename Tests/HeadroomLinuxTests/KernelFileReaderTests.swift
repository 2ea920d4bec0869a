#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
@testable import HeadroomLinux
import Testing

/// procfs (seq_file) hands out at most one page per read(2) whatever the buffer, so a read that
/// does not fill the buffer is not the end of the file: vmstat, mountinfo or cgroup.procs larger
/// than a page were cut after the first read (issue 13).
@Suite("Kernel files larger than one read")
struct KernelFileReaderTests {
    /// A file whose content does not change between reads and is many pages long.
    static let path = "/proc/kallsyms"

    /// The whole file by read(2) until it returns 0, in 1 MiB requests.
    static func reference() throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0, "\(path) cannot be opened")
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = read(fd, &chunk, chunk.count)
            try #require(count >= 0)
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    @Test("KernelFileReader.read returns every page, not the first read's")
    func wholeFile() throws {
        let expected = try Self.reference()
        try #require(expected.count > 4 * 4096, "needs a file of several pages")
        let text = try KernelFileReader.read(Self.path)
        #expect(text.bytes.count == expected.count)
        // Compared outside #expect: on a failure it would diff two 5 MB arrays element by element.
        let same = text.bytes == expected
        #expect(same)
    }

    @Test("a kept-open KernelFile re-read from a 4 KiB buffer returns every page, the same on each read")
    func keptOpen() throws {
        let expected = try Self.reference()
        let file = try KernelFile(path: Self.path, keepOpen: true, initialCapacity: 4096)
        for _ in 0..<2 {
            let text = try file.read()
            #expect(text.count == expected.count)
            let same = text.bytes.prefix(text.count).elementsEqual(expected)
            #expect(same)
        }
    }

    @Test("a one-record file (the per-tick cgroup and system files) larger than its buffer is still read whole")
    func oneRecord() throws {
        let directory = "/tmp/headroom-kernelfile-\(getpid())"
        mkdir(directory, 0o700)
        defer { unlink(directory + "/memory.stat"); rmdir(directory) }
        let text = (0..<400).map { "counter_\($0) \($0 * 4096)\n" }.joined()
        let fd = open(directory + "/memory.stat", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        #expect(text.withCString { write(fd, $0, strlen($0)) } == text.utf8.count)
        close(fd)
        let file = try KernelFile(path: directory + "/memory.stat", keepOpen: true, initialCapacity: 64, oneRecord: true)
        for _ in 0..<2 {
            let read = try file.read()
            #expect(String(decoding: read.bytes.prefix(read.count), as: UTF8.self) == text)
        }
        let meminfo = try KernelFile(path: "/proc/meminfo", keepOpen: true, initialCapacity: 64, oneRecord: true).read()
        #expect(String(decoding: meminfo.bytes.prefix(meminfo.count), as: UTF8.self).contains("SwapFree:"),
                "the last lines of meminfo are there")
    }
}
