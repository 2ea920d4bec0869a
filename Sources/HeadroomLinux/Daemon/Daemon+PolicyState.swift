import HeadroomCore

/// The policy's memory across daemon restarts (`PolicyStateFile`): restored before the first
/// tick, written after a tick that changed it, and at stop. A dry run reads it but never writes
/// it: its ladder steps set nothing, and it may run beside the real daemon on the same directory.
extension Daemon {
    /// At start, after `recoverAtStart` (throttles left behind are lifted by then, so the record
    /// of runtime limits says which steps are still in force).
    func restorePolicyState() {
        let file = PolicyStateFile(stateDirectory: options.stateDirectory, bootID: HostIdentity.bootID(paths: options.paths),
                                   log: DaemonLog.write)
        if !options.dryRun { policyState = file }
        guard let loaded = file.load() else { return }
        let record: RuntimeLimitRecord
        do { record = try RuntimeLimitStore(stateDirectory: options.stateDirectory).load() } catch {
            // Unconfirmed steps are left out: a ladder that believed in a limit not set would never act again.
            log(.warning, "\(error); the ladder steps in \(file.path) are not restored")
            record = RuntimeLimitRecord()
        }
        let (memory, dropped) = loaded.keeping(limitsIn: record)
        for sentence in dropped { log(.notice, sentence) }
        memory.restore(into: &tick.supervisor)
        log(.info, "restored from \(file.path): \(memory.histories.count) unit histories "
            + "(\(memory.histories.reduce(0) { $0 + $1.restarts }) restarts), \(memory.ladders.count) ladder steps")
        if dropped.isEmpty { policyState?.noteCurrent(PolicyMemory.Fingerprint(tick.supervisor.policy)) }
        else { policyState?.save(tick.supervisor) }
    }

    /// After each tick; the fingerprint comparison allocates nothing while nothing changed.
    func savePolicyStateIfChanged(now: Double) {
        policyState?.saveIfChanged(tick.memoryFingerprint, supervisor: tick.supervisor, now: now)
    }

    /// At stop, after the loop: whatever changed since the last write (settled sizes too).
    func savePolicyStateAtStop() {
        policyState?.save(tick.supervisor)
    }
}
