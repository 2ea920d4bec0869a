/// Priority of a log line the supervisor asks the shell to write.
public enum LogLevel: String, Equatable, Sendable {
    case debug, info, notice, warning, error
}
