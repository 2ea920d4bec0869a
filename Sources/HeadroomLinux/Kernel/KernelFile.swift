#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// One kernel file kept open and re-read from offset 0 with `pread` into a buffer
/// that is reused, so the daemon's steady tick opens nothing and allocates nothing.
///
/// procfs and cgroupfs files produce fresh content for every read from offset 0; each is read
/// until `pread` returns 0, and the buffer only grows (once, at warm-up) when a file is larger.
///
/// Fixture trees (`--root`) are different: tests replace their files by rename, which an
/// open descriptor would never see, so there the file is opened afresh for each read.
public final class KernelFile {
    public let path: String
    private var descriptor: Int32 = -1
    private let keepOpen: Bool
    private let oneRecord: Bool
    private var buffer: [UInt8]

    /// Opens the file (to fail early when it is missing), and keeps it open when `keepOpen`.
    ///
    /// - Parameter oneRecord: the kernel generates the file as one seq_file record (memory.current,
    ///   memory.stat, memory.events, memory.pressure, meminfo, /proc/pressure/memory, a sysctl):
    ///   the first read returns all of it, so a short read ending in a newline is the end and the
    ///   read that would return 0 is saved (the per-tick files; 25-55 % of a calm tick).
    /// - Throws: `KernelFileError` `.missing` (ENOENT, ENODEV) or `.unreadable(errno)`.
    public init(path: String, keepOpen: Bool, initialCapacity: Int = 4096, oneRecord: Bool = false) throws(KernelFileError) {
        self.path = path
        self.keepOpen = keepOpen
        self.oneRecord = oneRecord
        buffer = [UInt8](repeating: 0, count: max(initialCapacity, 64))
        try openDescriptor()
        if !keepOpen { closeDescriptor() }
    }

    /// nil when the file does not exist; other failures throw.
    public static func openIfPresent(_ path: String, keepOpen: Bool, oneRecord: Bool = false) throws(KernelFileError)
        -> KernelFile? {
        do {
            return try KernelFile(path: path, keepOpen: keepOpen, oneRecord: oneRecord)
        } catch where error.kind == .missing {
            return nil
        }
    }

    deinit { closeDescriptor() }

    private func openDescriptor() throws(KernelFileError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw KernelFileReader.failure(path, errno) }
    }

    private func closeDescriptor() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// The file's current content. The returned text shares this file's buffer: parse it
    /// before the next `read()` (holding on to it makes the next read copy the buffer).
    ///
    /// - Throws: `.missing` when the cgroup behind the file has gone (ENODEV), or `.unreadable`.
    public func read() throws(KernelFileError) -> KernelText {
        if descriptor < 0 { try openDescriptor() }
        defer { if !keepOpen { closeDescriptor() } }
        let length = try Self.readAll(descriptor, into: &buffer, path: path, oneRecord: oneRecord)
        return KernelText(bytes: buffer, count: length, path: path)
    }

    /// Reads `descriptor` from offset 0 into `buffer`, growing it only when the file is larger.
    /// - Returns: the number of bytes read.
    /// - Parameter oneRecord: see `init`; false reads until `pread` returns 0.
    static func readAll(_ descriptor: Int32, into buffer: inout [UInt8], path: String,
                        oneRecord: Bool = false) throws(KernelFileError) -> Int {
        var length = 0
        while true {
            if length == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let asked = buffer.count - length
            let count = buffer.withUnsafeMutableBytes { bytes in
                pread(descriptor, bytes.baseAddress! + length, asked, off_t(length))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw KernelFileReader.failure(path, errno)
            }
            // Otherwise only 0 is the end: seq_file (procfs, cgroupfs) hands out at most a page per
            // call whatever the buffer, so a short read of vmstat, mountinfo or a long cgroup.procs
            // is not the end. The extra call per file costs no allocation.
            if count == 0 { return length }
            length += count
            if oneRecord && count < asked && buffer[length - 1] == UInt8(ascii: "\n") { return length }
        }
    }
}
