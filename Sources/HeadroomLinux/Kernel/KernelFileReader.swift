#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Reads procfs, sysfs and cgroupfs files whole.
///
/// These are pseudo files whose size `stat` reports as 4096 or 0, so the reader
/// reads until end of file into a buffer that grows as needed.
public enum KernelFileReader {
    /// - Throws: `KernelFileError` with `.missing` (ENOENT, ENODEV: the file or its
    ///   cgroup is gone) or `.unreadable(errno)`.
    public static func read(_ path: String) throws(KernelFileError) -> KernelText {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, errno) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let length = try KernelFile.readAll(fd, into: &bytes, path: path)
        // Whole-file readers (config, incidents, ticket state) use `bytes` as the content.
        bytes.removeSubrange(length...)
        return KernelText(bytes: bytes, path: path)
    }

    /// nil when the file does not exist; other failures throw.
    public static func readIfPresent(_ path: String) throws(KernelFileError) -> KernelText? {
        do {
            return try read(path)
        } catch where error.kind == .missing {
            return nil
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Names of the subdirectories of `path`, sorted; nil when `path` cannot be listed.
    public static func subdirectories(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func failure(_ path: String, _ code: Int32) -> KernelFileError {
        if code == ENOENT || code == ENODEV {
            return KernelFileError(path: path, kind: .missing, reason: "does not exist")
        }
        return KernelFileError(path: path, kind: .unreadable(code), reason: "cannot be read: \(errorText(code))")
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
