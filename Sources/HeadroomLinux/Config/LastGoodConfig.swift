import HeadroomCore

/// The last config the daemon accepted, kept in the state directory, so that an invalid
/// config at start (a typo deployed, a file half written) does not stop the daemon: exiting
/// would loop into systemd's start limit and leave the VM with no supervisor at all.
///
/// At start the daemon runs on, in this order: the config file when it is valid (and keeps a
/// copy of it); else the last good copy; else the built-in defaults, the settings every VM
/// without a config file runs on. Each fallback is logged as an error naming the problem.
public struct LastGoodConfig: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/config.last-good.json"
    }

    /// The config to start on, and the error line to log when it is not the config file.
    public func loadForStart(path configPath: String?) -> (config: HeadroomConfig, problem: String?) {
        let invalid: ConfigError
        do {
            return (try reload(path: configPath), nil)
        } catch {
            invalid = error
        }
        let fix = "fix it (headroom config check), then: systemctl reload headroom"
        let kept: KernelText?
        do {
            kept = try KernelFileReader.readIfPresent(path)
        } catch {
            return (HeadroomConfig(), "invalid config: \(invalid); the last good config \(path) cannot be read "
                + "(\(error.reason)): running on the built-in defaults until the config is fixed; \(fix)")
        }
        guard let kept else {
            return (HeadroomConfig(), "invalid config: \(invalid); no last good config in \(path): running on "
                + "the built-in defaults until the config is fixed; \(fix)")
        }
        do {
            let config = try HeadroomConfig.parse(kept.bytes, file: path)
            return (config, "invalid config: \(invalid); running on the last good config \(path) instead; \(fix)")
        } catch {
            return (HeadroomConfig(), "invalid config: \(invalid); the last good config is not valid either "
                + "(\(error)): running on the built-in defaults until the config is fixed; \(fix)")
        }
    }

    /// Loads the config file; when it is valid, it becomes the last good one.
    /// - Throws: the file's `ConfigError`; the last good copy is then left as it was.
    public func reload(path configPath: String?) throws(ConfigError) -> HeadroomConfig {
        let (config, bytes) = try ConfigLoader.loadWithText(path: configPath)
        remember(bytes ?? Array("{}\n".utf8))
        return config
    }

    /// Best effort: without a copy the next start with a broken config falls back to the defaults.
    private func remember(_ bytes: [UInt8]) {
        if let current = try? KernelFileReader.read(path), current.bytes == bytes { return }
        do {
            // 0600: the config may hold ticket headers.
            try AtomicFile.write(String(decoding: bytes, as: UTF8.self), to: path, mode: 0o600, createDirectory: 0o700)
        } catch {
            DaemonLog.write(.warning, "cannot keep the last good config in \(path): \(error.reason)")
        }
    }
}
