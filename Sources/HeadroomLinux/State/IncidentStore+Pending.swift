import HeadroomCore

extension IncidentStore {
    /// An incident a previous daemon left `pending` (it was SIGKILLed, or the VM went down, before
    /// the outcome was seen), now finished as `interrupted`.
    public struct Interrupted: Equatable, Sendable {
        public var id: String
        public var path: String
        public var summary: IncidentSummary
    }

    /// The sentence added to an interrupted incident's narrative.
    static let interruptedSentence = "Headroom stopped (killed, or the VM went down) before the outcome was seen."

    /// At daemon start: rewrites every `pending` incident as `interrupted` (the narrative says
    /// why, `updated_at` is now), so none stays pending and each is journaled once by the caller.
    /// - Returns: the incidents finished, and the files that could not be rewritten.
    public func finishPending(nowMs: Int64) -> (finished: [Interrupted], problems: [IncidentStoreError]) {
        let found = entries()
        var finished: [Interrupted] = []
        var problems: [IncidentStoreError] = []
        for entry in found.entries where entry.summary.outcome == .pending {
            guard case .object(var fields) = entry.document else { continue }
            var summary = entry.summary
            summary.outcome = .interrupted
            summary.narrative = (summary.narrative.isEmpty ? "" : summary.narrative + " ") + Self.interruptedSentence
            fields[IncidentKey.outcome] = .string(Incident.Outcome.interrupted.rawValue)
            fields[IncidentKey.narrative] = .string(summary.narrative)
            fields[IncidentKey.updatedAt] = .string(RFC3339.utc(milliseconds: nowMs))
            fields[IncidentKey.updatedAtMs] = .integer(nowMs)
            let path = path(id: summary.id)
            do {
                try AtomicFile.write(JSONValue.object(fields).rendered() + "\n", to: path, mode: IncidentStore.fileMode)
                finished.append(Interrupted(id: summary.id, path: path, summary: summary))
            } catch {
                problems.append(IncidentStoreError(path: path, kind: .system(error.code), reason: error.reason))
            }
        }
        return (finished, problems)
    }
}
