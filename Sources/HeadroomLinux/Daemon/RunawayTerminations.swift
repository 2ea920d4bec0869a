import HeadroomCore

/// The daemon's side of `terminateRunaway`: snapshot the scope's processes, choose the runaway
/// (`RunawayProcess.choose`), SIGTERM it through a pidfd (`ProcessTermination`), and SIGKILL it
/// when it is still there at the deadline. The deadline is checked on every tick (`poll`), never
/// waited for: the loop does not block.
///
/// Outcomes reported (`runawayTerminated`'s `outcome`): `exited_after_term`, `killed`,
/// `already_gone`, `left_alone: <reason>` (`RunawayProcess.Reason`), `failed: <error>`.
final class RunawayTerminations {
    struct Pending {
        let scope: String
        let termination: ProcessTermination
        let command: String
        let deadline: Double
        var killedAt: Double?
    }

    let reader: ProcessSnapshotReader
    /// The scope's cgroup directory from the action's path (relative to the cgroup v2 root).
    let cgroupDirectory: (String) -> String?
    var settings: PolicySettings.Runaway
    let log: (LogLevel, String) -> Void
    private(set) var pending: [Pending] = []
    /// How long a SIGKILLed process may take to go before it is reported as killed anyway.
    static let killGraceSeconds = 5.0

    init(reader: ProcessSnapshotReader, cgroupDirectory: @escaping (String) -> String?,
         settings: PolicySettings.Runaway = PolicySettings().runaway, log: @escaping (LogLevel, String) -> Void) {
        self.reader = reader
        self.cgroupDirectory = cgroupDirectory
        self.settings = settings
        self.log = log
    }

    typealias Finished = (_ scope: String, _ pid: Int32?, _ command: String?, _ outcome: String) -> Void

    /// SIGTERM to the scope's runaway now; reports at once when nothing was signalled.
    func start(scope: String, cgroupPath: String, deadlineSeconds: Double, now: Double, finished: Finished) {
        guard let directory = cgroupDirectory(cgroupPath) else {
            finished(scope, nil, nil, "failed: the cgroup v2 hierarchy is not available")
            return
        }
        let snapshot: ProcessSnapshotReader.UnitProcesses
        do { snapshot = try reader.snapshot(cgroupDirectory: directory, limit: 64) } catch {
            finished(scope, nil, nil, error.kind == .missing ? "already_gone" : "failed: \(error)")
            return
        }
        let process: ProcessSnapshot
        switch RunawayProcess.choose(snapshot.processes, earlier: nil, settings: settings) {
        case .terminate(let chosen): process = chosen
        case .leaveAlone(let reason):
            finished(scope, nil, nil, "left_alone: \(reason.rawValue)")
            return
        }
        do {
            let termination = try ProcessTermination(pid: process.pid, expectedStartTicks: process.startTicks, reader: reader)
            log(.warning, "SIGTERM to process \(process.pid) (\(process.command)) in \(scope): "
                + "\(ByteSize.format(process.anonBytes + process.swapBytes)) private")
            pending.append(Pending(scope: scope, termination: termination, command: process.command,
                                   deadline: now + deadlineSeconds))
        } catch .gone {
            finished(scope, process.pid, process.command, "already_gone")
        } catch {
            finished(scope, process.pid, process.command, "failed: \(error)")
        }
    }

    /// On every tick: reports the processes that went, SIGKILLs those past their deadline.
    func poll(now: Double, finished: Finished) {
        guard !pending.isEmpty else { return }
        var index = 0
        while index < pending.count {
            let item = pending[index]
            if let outcome = advance(&pending[index], now: now) {
                pending.remove(at: index)
                finished(item.scope, item.termination.pid, item.command, outcome)
            } else {
                index += 1
            }
        }
    }

    private func advance(_ item: inout Pending, now: Double) -> String? {
        if item.termination.hasExited { return item.killedAt == nil ? "exited_after_term" : "killed" }
        if let killedAt = item.killedAt { return now - killedAt >= Self.killGraceSeconds ? "killed" : nil }
        guard now >= item.deadline else { return nil }
        do {
            guard try item.termination.kill() else { return "exited_after_term" }
            log(.warning, "SIGKILL to process \(item.termination.pid) in \(item.scope): still there after SIGTERM")
            item.killedAt = now
            return nil
        } catch {
            return "failed: \(error)"
        }
    }
}
