#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// `STATE_DIR/policy-state.json`: the decision policy's memory (`PolicyMemory`: each unit's
/// restarts and settled sizes, each ladder step in force), so that a restarted daemon still knows
/// that a unit regrows after its restarts, or is contained.
///
/// Written atomically (`AtomicFile`) when what it holds changed (`PolicyMemory.Fingerprint`):
/// at once for a ladder step taken or left, within `historyWriteSeconds` for a restart noted (a
/// contained leak that the kernel OOM-kills in its cgroup every few seconds is a restart each
/// time), never on a calm tick; and once more at stop.
/// Read once at start: a file from another boot is ignored (its times are on that boot's
/// monotonic clock, and unit runs and runtime limits did not survive the reboot); a file that
/// cannot be read as a policy state is moved aside (`policy-state.json.bad`) and named in a
/// message, and the daemon starts with no unit history. Deleting the file forgets the history,
/// nothing more.
public final class PolicyStateFile {
    public static let fileName = "policy-state.json"
    static let fileMode: mode_t = 0o644
    static let directoryMode: mode_t = 0o750
    /// The shortest time between two writes for restarts alone.
    public static let historyWriteSeconds = 10.0

    public let path: String
    public let bootID: String
    let log: (LogLevel, String) -> Void
    /// What the file holds, as far as this daemon wrote or read it: at first, what a new
    /// supervisor holds (nothing), so a daemon with nothing to keep writes nothing.
    private var written = PolicyMemory.Fingerprint()
    private var lastWrite = -Double.infinity
    private var writeFailed = false

    public init(stateDirectory: String, bootID: String, log: @escaping (LogLevel, String) -> Void) {
        var directory = stateDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        path = directory + "/" + Self.fileName
        self.bootID = bootID
        self.log = log
    }

    /// The memory this boot's previous daemon left; nil when there is none to use (each reason logged).
    public func load() -> PolicyMemory? {
        let text: KernelText?
        do { text = try KernelFileReader.readIfPresent(path) } catch {
            log(.warning, "cannot read \(path): \(error); starting with no unit history")
            return nil
        }
        guard let text else { return nil }
        let memory: PolicyMemory
        do { memory = try PolicyMemory.parse(text.bytes, path: path) } catch {
            moveAside(because: error.reason)
            return nil
        }
        guard memory.isFrom(boot: bootID) else {
            log(.info, "ignored \(path): it is from another boot (\(memory.bootID); this one is \(bootID)), and unit "
                + "runs and runtime limits do not outlive a reboot; starting with no unit history")
            return nil
        }
        return memory
    }

    private func moveAside(because reason: String) {
        let aside = path + ".bad"
        let moved = rename(path, aside) == 0
        log(.warning, "\(path) is not a policy state (\(reason)); "
            + (moved ? "moved aside to \(aside)" : "could not move it aside (\(KernelFileReader.errorText(errno)))")
            + "; starting with no unit history")
    }

    /// After a tick at `now` (tick clock): writes the supervisor's memory when `fingerprint` (the
    /// tick's) differs from what was last written. Allocates nothing when it does not.
    public func saveIfChanged(_ fingerprint: PolicyMemory.Fingerprint, supervisor: Supervisor, now: Double) {
        guard fingerprint != written else { return }
        guard fingerprint.ladders != written.ladders || now - lastWrite >= Self.historyWriteSeconds else { return }
        lastWrite = now
        save(supervisor, fingerprint: fingerprint)
    }

    /// Writes now (at stop; after a restore that left steps out).
    public func save(_ supervisor: Supervisor, fingerprint: PolicyMemory.Fingerprint? = nil) {
        // A failed write is not retried every tick: the next change or the stop tries again.
        written = fingerprint ?? PolicyMemory.Fingerprint(supervisor.policy)
        let memory = PolicyMemory(bootID: bootID, supervisor: supervisor)
        do {
            try AtomicFile.write(memory.jsonValue.rendered() + "\n", to: path, mode: Self.fileMode,
                                 createDirectory: Self.directoryMode)
            if writeFailed { log(.notice, "\(path) written again") }
            writeFailed = false
        } catch {
            if !writeFailed {
                log(.warning, "cannot write \(path): \(error.reason); a daemon restart would forget unit restarts and "
                    + "ladder steps since the last write")
            }
            writeFailed = true
        }
    }

    /// What was read or restored is what the file holds: no write until it changes.
    public func noteCurrent(_ fingerprint: PolicyMemory.Fingerprint) { written = fingerprint }
}
