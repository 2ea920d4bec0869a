#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The daemon's own log lines, on stderr with a `<N>` syslog priority prefix: journald
/// (SyslogLevelPrefix=yes, the default) stores them with that priority; in a terminal
/// they stay readable.
public enum DaemonLog {
    public static func write(_ level: LogLevel, _ message: String) {
        let priority: Int
        switch level {
        case .debug: priority = 7
        case .info: priority = 6
        case .notice: priority = 5
        case .warning: priority = 4
        case .error: priority = 3
        }
        let line = "<\(priority)>\(message)\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
