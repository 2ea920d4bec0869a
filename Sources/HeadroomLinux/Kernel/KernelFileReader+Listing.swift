#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

extension KernelFileReader {
    /// Names of the regular files in `path` (not following symlinks), sorted.
    ///
    /// - Throws: `KernelFileError` with `.missing` when the directory does not exist, or
    ///   `.unreadable(errno)` when it cannot be listed (EACCES, ENOTDIR, ...).
    public static func listFiles(in path: String) throws(KernelFileError) -> [String] {
        guard let directory = opendir(path) else { throw failure(path, errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw failure(path, errno) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                // Some file systems do not fill in d_type: ask lstat.
                var info = stat()
                guard lstat(path + "/" + name, &info) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : UInt8(DT_UNKNOWN)
            }
            if type == UInt8(DT_REG) { names.append(name) }
        }
        return names.sorted()
    }
}
