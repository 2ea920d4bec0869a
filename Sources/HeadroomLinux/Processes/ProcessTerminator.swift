/// The blocking form of `ProcessTermination`, for a caller that may wait (the CLI, tests,
/// a daemon thread): SIGTERM, wait up to `deadline` seconds, then SIGKILL and wait again.
public enum ProcessTerminator {
    public enum Outcome: Equatable, Sendable {
        /// It had exited before the SIGTERM.
        case alreadyGone
        /// It exited after SIGTERM, within the deadline.
        case exitedAfterTerm
        /// It needed SIGKILL.
        case killed
    }

    /// - Throws: `ProcessTerminationError` `.replaced` or `.signal`; `.gone` is an outcome, not an error.
    public static func terminate(pid: Int32, expectedStartTicks: UInt64, deadline: Double,
                                 reader: ProcessSnapshotReader = ProcessSnapshotReader()) throws(ProcessTerminationError) -> Outcome {
        let termination: ProcessTermination
        do throws(ProcessTerminationError) {
            termination = try ProcessTermination(pid: pid, expectedStartTicks: expectedStartTicks, reader: reader)
        } catch .gone {
            return .alreadyGone
        }
        if termination.waitForExit(seconds: deadline) { return .exitedAfterTerm }
        guard try termination.kill() else { return .exitedAfterTerm }
        _ = termination.waitForExit(seconds: 5)
        return .killed
    }
}
