/// A runaway process in a protected login session (`session-N.scope` under `user-UID.slice`).
///
/// The session is protected (ending it logs the person out) and no other unit may pay for
/// its memory, so the process itself is the target: the one holding the most private memory
/// that is still growing. Pure selection from two snapshots of the scope's processes.
public enum RunawayProcess {
    public enum Choice: Equatable, Sendable {
        case terminate(ProcessSnapshot)
        case leaveAlone(Reason)
    }

    public enum Reason: String, Equatable, Sendable {
        /// `policy.runaway.terminate_processes` is false.
        case disabled
        /// No process holds `minimumBytes` of private memory.
        case noneLargeEnough = "none_large_enough"
        /// The large ones did not grow since the previous snapshot.
        case notGrowing = "not_growing"
    }

    /// A login session scope: the processes of a person, not a service.
    public static func isLoginSession(unit: String, cgroupPath: String) -> Bool {
        unit.hasPrefix("session-") && unit.hasSuffix(".scope") && cgroupPath.contains("user-")
    }

    /// - Parameters:
    ///   - processes: the scope's processes now.
    ///   - earlier: the same scope a few seconds before; nil when there is none, and then the
    ///     largest is taken (the scope as a whole was seen growing by the chooser).
    public static func choose(_ processes: [ProcessSnapshot], earlier: [ProcessSnapshot]?,
                              settings: PolicySettings.Runaway) -> Choice {
        guard settings.terminateProcesses else { return .leaveAlone(.disabled) }
        let large = processes.filter { $0.privateBytes >= settings.minimumBytes }
        guard !large.isEmpty else { return .leaveAlone(.noneLargeEnough) }
        let growing = large.filter { process in
            guard let earlier else { return true }
            guard let before = earlier.first(where: { $0.pid == process.pid && $0.command == process.command }) else {
                return true // new since the last look, and already this large
            }
            return process.privateBytes > before.privateBytes
        }
        guard let chosen = growing.max(by: { ($0.privateBytes, $1.pid) < ($1.privateBytes, $0.pid) }) else {
            return .leaveAlone(.notGrowing)
        }
        return .terminate(chosen)
    }
}

extension ProcessSnapshot {
    /// What terminating it gives back: private anonymous memory, in RAM or swapped.
    var privateBytes: UInt64 { anonBytes + swapBytes }
}
