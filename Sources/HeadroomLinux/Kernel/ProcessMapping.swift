#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// One private file mapping of this process, as /proc/self/smaps lists it.
struct ProcessMapping {
    let start: UInt
    let length: Int
    let writable: Bool
    let executable: Bool
    let path: String
    /// Pages of the mapping that are private copies (relocations, written data), not the file's.
    var anonymousKiB = 0

    /// The private (copy-on-write) mappings of files, e.g. the executable's and the libraries' segments.
    static func privateFileMappings() throws(KernelFileError) -> [ProcessMapping] {
        let smaps = try readToEnd("/proc/self/smaps")
        var mappings: [ProcessMapping] = []
        var current: ProcessMapping?
        var inFileMapping = false
        try smaps.forEachLine { line throws(KernelFileError) in
            let text = line.string
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5 {
                if let mapping = current { mappings.append(mapping) }
                current = parseHeader(fields)
                inFileMapping = current != nil
            } else if inFileMapping, text.hasPrefix("Anonymous:"), let kib = fields.dropFirst().first.flatMap({ Int($0) }) {
                current?.anonymousKiB = kib
            }
        }
        if let mapping = current { mappings.append(mapping) }
        return mappings
    }

    /// nil for anything but a private, readable mapping of a file (inode != 0, a path).
    private static func parseHeader(_ fields: [Substring]) -> ProcessMapping? {
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
              end > start else { return nil }
        let permissions = fields[1]
        guard permissions.hasPrefix("r"), permissions.hasSuffix("p"), fields[4] != "0", fields.count >= 6,
              fields[5].hasPrefix("/") else { return nil }
        return ProcessMapping(start: start, length: Int(end - start), writable: permissions.contains("w"), executable: permissions.contains("x"),
                              path: fields[5...].joined(separator: " "))
    }

    /// smaps is a seq_file that returns a few mappings per read, less than asked for long
    /// before its end (KernelFileReader stops at such a short read): read until 0.
    private static func readToEnd(_ path: String) throws(KernelFileError) -> KernelText {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KernelFileReader.failure(path, errno) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 65536)
        var length = 0
        while true {
            if length == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + length, $0.count - length) }
            if count < 0 {
                if errno == EINTR { continue }
                throw KernelFileReader.failure(path, errno)
            }
            if count == 0 { break }
            length += count
        }
        bytes.removeSubrange(length...)
        return KernelText(bytes: bytes, path: path)
    }
}
