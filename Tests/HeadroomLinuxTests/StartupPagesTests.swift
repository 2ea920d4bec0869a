#if canImport(Glibc)
import Glibc
#endif
@testable import HeadroomLinux
import Testing

@Suite("StartupPages")
struct StartupPagesTests {
    /// smaps is long (this test process maps dozens of files) and procfs returns it a few
    /// mappings per read: the C library, mapped high, comes after the executable's mappings.
    @Test("all of /proc/self/smaps is read: the executable and the C library are both listed")
    func readsAllMappings() throws {
        let mappings = try ProcessMapping.privateFileMappings()
        var exe = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &exe, Int(PATH_MAX))
        try #require(length > 0)
        let executable = String(decoding: exe[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(mappings.contains { $0.path == executable && $0.executable })
        #expect(mappings.contains { $0.path.contains("/libc.so") && $0.executable }, "\(mappings.map(\.path))")
    }

    @Test("a private file mapping: pages still the file's are runs to release, a written page is kept")
    func writtenPageIsKept() throws {
        let page = FilePageRuns.pageSize
        let path = "/tmp/headroom-startup-pages-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        let content = [UInt8](repeating: 1, count: 4 * page)
        #expect(content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == 4 * page)
        let base = mmap(nil, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        try #require(base != MAP_FAILED)
        defer { munmap(base, 4 * page) }
        let bytes = base!.assumingMemoryBound(to: UInt8.self)
        var sum = 0
        for index in 0..<4 { sum += Int(bytes[index * page]) }  // present, the file's pages
        bytes[2 * page] = 9  // copied on write: a private page from now on
        #expect(sum == 4)
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        try #require(pagemap >= 0)
        defer { close(pagemap) }
        let start = UInt(bitPattern: base)
        let mapping = ProcessMapping(start: start, length: 4 * page, writable: true, executable: false, path: path,
                                     anonymousKiB: page / 1024)
        let runs = FilePageRuns(mapping: mapping, pagemap: pagemap).runs()
        #expect(runs.map(\.start) == [start, start + UInt(3 * page)])
        #expect(runs.map(\.length) == [2 * page, page])
        #expect(FilePageRuns.stillFilePages(runs[0], pagemap: pagemap))
        #expect(!FilePageRuns.stillFilePages((start, 3 * page), pagemap: pagemap))
    }
}
