/// How a remedy's systemd job (or D-Bus call) ended, as the shell reports it.
public enum JobResult: Equatable, Sendable {
    /// systemd's job result `done`.
    case done
    /// Any other systemd job result (`failed`, `timeout`, `canceled`, `dependency`, ...).
    case failed(systemdResult: String)
    /// The call could not be issued or was refused; the error's text.
    case notIssued(String)
    /// No result arrived within the given seconds (the JobRemoved signal can be lost with a
    /// D-Bus connection).
    case unconfirmed(waitedSeconds: Int)

    /// systemd's `result` string of a JobRemoved signal.
    public init(systemd result: String) {
        self = result == "done" ? .done : .failed(systemdResult: result)
    }

    public var succeeded: Bool { self == .done }

    /// The text of the incident's `actions[].result`.
    public var recordText: String {
        switch self {
        case .done: "done"
        case .failed(let result): result
        case .notIssued(let error): "error: \(error)"
        case .unconfirmed(let seconds): "unconfirmed: no job result from systemd within \(seconds) s"
        }
    }

    /// `actions[].result` of a step that was only recorded (dry run).
    public static let dryRunRecordText = "dry_run"
}
