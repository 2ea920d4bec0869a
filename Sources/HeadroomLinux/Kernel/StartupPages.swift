#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Lets go of the file pages that only start-up needed, just before memory is locked.
///
/// Start-up (argument parsing, config parsing, the Swift runtime's metadata scans, the
/// dynamic linker's relocations) touches megabytes of the executable and its libraries that
/// the steady loop never reads again; with `mlockall` they would stay resident and locked for
/// the daemon's whole life. Every page of a private file mapping that still is the file's
/// page (not a private copy: relocated or written data stays) is zapped with MADV_DONTNEED:
/// it is still in the page cache and faults back in when touched, and only what the loop
/// really uses is then locked.
///
/// The kernel maps up to 64 KiB of cached neighbours around each page fault ("fault-around"),
/// so the loop's few scattered code pages would bring most of the executable back. For the
/// executable (the static Swift runtime is in it), the released pages are also dropped from
/// the page cache and the mappings marked MADV_RANDOM (no read-ahead): a fault then maps the
/// one page it needs. Libraries' page cache is shared with other processes and left alone.
enum StartupPages {
    struct Released {
        var mappings = 0
        var bytes = 0
    }

    static func release() -> Result<Released, KernelFileError> {
        let mappings: [ProcessMapping]
        do {
            mappings = try ProcessMapping.privateFileMappings()
        } catch {
            return .failure(error)
        }
        let executable = executablePath()
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        defer { if pagemap >= 0 { close(pagemap) } }
        // The executable's mappings last, its code the very last: the page cache can drop
        // only pages that no mapping holds, and the code run in between faults some back.
        let ordered = mappings.filter { $0.path != executable }
            + mappings.filter { $0.path == executable }.sorted { !$0.executable && $1.executable }
        for mapping in ordered where mapping.path == executable {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), mapping.length, MADV_RANDOM)
        }
        let executableFile = executable.map { open($0, O_RDONLY | O_CLOEXEC) } ?? -1
        var released = Released()
        for mapping in ordered {
            let bytes = release(mapping, pagemap: pagemap)
            if bytes > 0 {
                released.mappings += 1
                released.bytes += bytes
            }
        }
        if executableFile >= 0 {
            // Only pages no process maps are dropped; a hint, whose failure changes nothing.
            _ = posix_fadvise(executableFile, 0, 0, POSIX_FADV_DONTNEED)
            close(executableFile)
        }
        return .success(released)
    }

    /// Zaps the mapping whole when it holds no private copy; otherwise only the runs of pages
    /// that /proc/self/pagemap shows as present file pages. Returns the bytes zapped.
    private static func release(_ mapping: ProcessMapping, pagemap: Int32) -> Int {
        if mapping.anonymousKiB == 0 && !mapping.writable {
            return madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), mapping.length, MADV_DONTNEED) == 0
                ? mapping.length : 0
        }
        guard pagemap >= 0 else { return 0 }
        var zapped = 0
        for run in FilePageRuns(mapping: mapping, pagemap: pagemap).runs() {
            // Checked again just before the zap: a page written since the scan is a private copy now.
            guard FilePageRuns.stillFilePages(run, pagemap: pagemap) else { continue }
            if madvise(UnsafeMutableRawPointer(bitPattern: run.start), run.length, MADV_DONTNEED) == 0 {
                zapped += run.length
            }
        }
        return zapped
    }

    private static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
