import HeadroomCore

/// Loads the config file: absent default file = all defaults.
public enum ConfigLoader {
    /// - Parameters:
    ///   - path: the file named by `--config`, or nil for the default path.
    /// - Throws: `ConfigError` naming the file and the key path, or saying the file cannot be read.
    public static func load(path: String?) throws(ConfigError) -> HeadroomConfig {
        let file = path ?? HeadroomConfig.defaultPath
        let text: KernelText
        do {
            text = try KernelFileReader.read(file)
        } catch where error.kind == .missing && path == nil {
            return HeadroomConfig()
        } catch {
            throw ConfigError(file: file, path: "", message: error.kind == .missing
                ? "the file does not exist" : error.reason)
        }
        return try HeadroomConfig.parse(text.bytes, file: file)
    }
}
