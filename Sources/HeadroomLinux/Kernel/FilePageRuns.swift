#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The runs of pages of a private file mapping that are present and still the file's own
/// (not copied on write, not swapped), from /proc/self/pagemap (one 64-bit entry per page:
/// bit 63 present, bit 62 swapped, bit 61 file page or shared).
struct FilePageRuns {
    let mapping: ProcessMapping
    let pagemap: Int32

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    func runs() -> [(start: UInt, length: Int)] {
        guard let entries = Self.entries(start: mapping.start, length: mapping.length, pagemap: pagemap) else { return [] }
        var runs: [(start: UInt, length: Int)] = []
        var runStart: Int?
        for index in 0...entries.count {
            let isFilePage = index < entries.count && Self.isFilePage(entries[index])
            if isFilePage, runStart == nil { runStart = index }
            if !isFilePage, let first = runStart {
                runs.append((mapping.start + UInt(first * Self.pageSize), (index - first) * Self.pageSize))
                runStart = nil
            }
        }
        return runs
    }

    static func stillFilePages(_ run: (start: UInt, length: Int), pagemap: Int32) -> Bool {
        guard let entries = entries(start: run.start, length: run.length, pagemap: pagemap) else { return false }
        return entries.allSatisfy(isFilePage)
    }

    private static func isFilePage(_ entry: UInt64) -> Bool {
        entry & (1 << 63) != 0 && entry & (1 << 62) == 0 && entry & (1 << 61) != 0
    }

    private static func entries(start: UInt, length: Int, pagemap: Int32) -> [UInt64]? {
        let count = length / pageSize
        var entries = [UInt64](repeating: 0, count: count)
        let offset = off_t(start / UInt(pageSize)) * 8
        let read = entries.withUnsafeMutableBytes { pread(pagemap, $0.baseAddress, $0.count, offset) }
        return read == count * 8 ? entries : nil
    }
}
