#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// Loads the config file: absent default file = all defaults.
public enum ConfigLoader {
    /// - Parameters:
    ///   - path: the file named by `--config`, or nil for the default path.
    /// - Throws: `ConfigError` naming the file and the key path, or saying the file cannot be read.
    public static func load(path: String?) throws(ConfigError) -> HeadroomConfig {
        try loadWithText(path: path).config
    }

    /// As `load`, with the bytes the config was read from (nil when the default file is absent).
    public static func loadWithText(path: String?) throws(ConfigError) -> (config: HeadroomConfig, bytes: [UInt8]?) {
        let file = path ?? HeadroomConfig.defaultPath
        let text: KernelText
        do {
            try checkIsSmallRegularFile(file)
            text = try KernelFileReader.read(file)
        } catch where error.kind == .missing && path == nil {
            return (HeadroomConfig(), nil)
        } catch {
            throw ConfigError(file: file, path: "", message: error.kind == .missing
                ? "the file does not exist" : error.reason)
        }
        return (try HeadroomConfig.parse(text.bytes, file: file), text.bytes)
    }

    /// Refuses, before reading, what would never end or never fit (`/dev/zero`, a FIFO, a huge file).
    private static func checkIsSmallRegularFile(_ file: String) throws(KernelFileError) {
        var status = stat()
        guard stat(file, &status) == 0 else { throw KernelFileReader.failure(file, errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw KernelFileError(path: file, kind: .malformed, reason: "not a regular file")
        }
        guard status.st_size <= HeadroomConfig.maximumFileBytes else {
            throw KernelFileError(path: file, kind: .malformed, reason: "the file has \(status.st_size) bytes; "
                + "a config may have at most \(HeadroomConfig.maximumFileBytes) (1 MiB)")
        }
    }
}
