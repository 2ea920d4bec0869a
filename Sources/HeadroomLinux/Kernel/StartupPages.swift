#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Lets go of the code pages that only start-up needed, just before memory is locked.
///
/// Start-up (argument parsing, config parsing, the Swift runtime's metadata scans) touches
/// megabytes of the executable and its libraries that the steady loop never runs again;
/// with `mlockall` they would stay resident and locked for the daemon's whole life. Every
/// read-only file mapping that holds no anonymous (copy-on-write) page is zapped with
/// MADV_DONTNEED: its pages are still in the page cache and fault back in when touched, and
/// only those the loop really uses are then locked. Mappings with anonymous pages (e.g.
/// relocated RELRO data) are left alone: zapping them would lose the relocations.
enum StartupPages {
    struct Released {
        var mappings = 0
        var bytes = 0
    }

    static func release() -> Result<Released, KernelFileError> {
        let smaps: KernelText
        do {
            smaps = try KernelFileReader.read("/proc/self/smaps")
        } catch {
            return .failure(error)
        }
        var candidates: [(start: UInt, length: Int)] = []
        var current: (start: UInt, length: Int, eligible: Bool)?
        func finish() {
            if let mapping = current, mapping.eligible { candidates.append((mapping.start, mapping.length)) }
            current = nil
        }
        do {
            try smaps.forEachLine { line throws(KernelFileError) in
                let text = line.string
                let fields = text.split(separator: " ", omittingEmptySubsequences: true)
                if let range = fields.first, range.contains("-"), fields.count >= 5 {
                    finish()
                    let bounds = range.split(separator: "-")
                    guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                          end > start else { return }
                    let permissions = fields[1]
                    let inode = fields[4]
                    // Private, not writable, backed by a file (inode != 0), not a special mapping.
                    let eligible = permissions.hasPrefix("r") && !permissions.contains("w") && permissions.hasSuffix("p")
                        && inode != "0" && fields.count >= 6 && fields[5].hasPrefix("/")
                    current = (start, Int(end - start), eligible)
                } else if text.hasPrefix("Anonymous:"), let kib = fields.dropFirst().first.flatMap({ Int($0) }), kib > 0 {
                    current?.eligible = false
                }
            }
        } catch {
            return .failure(error)
        }
        finish()
        var released = Released()
        for mapping in candidates where madvise(UnsafeMutableRawPointer(bitPattern: mapping.start),
                                                 mapping.length, MADV_DONTNEED) == 0 {
            released.mappings += 1
            released.bytes += mapping.length
        }
        return .success(released)
    }
}
