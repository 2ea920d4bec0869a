#if canImport(Glibc)
import Glibc
#endif

/// Host name and boot id, for incidents.
public enum HostIdentity {
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func bootID(paths: KernelPaths) -> String {
        guard let text = try? KernelFileReader.read(paths.path("/proc/sys/kernel/random/boot_id")) else { return "unknown" }
        return String(decoding: text.bytes, as: UTF8.self).filter { !$0.isWhitespace }
    }
}
