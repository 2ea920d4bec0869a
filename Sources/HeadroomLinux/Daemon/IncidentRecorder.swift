import HeadroomCore

/// Incident files and journal entries for the daemon. A file that cannot be written is kept
/// and retried every tick; the journal entry names the file its incident was last written to.
public final class IncidentRecorder: IncidentSink {
    /// Writes (creates or replaces) an incident file; returns its path.
    public typealias Writer = (Incident) -> Result<String, any Error>

    let writer: Writer
    let log: (LogLevel, String) -> Void
    /// Called after a file was written (the metrics' incident tally is then out of date).
    var onWritten: () -> Void = {}
    private(set) var unwritten: [String: Incident] = [:]
    /// The last file written; a journal entry always follows its incident's write.
    private var lastWritten: (id: String, path: String)?

    public init(writer: @escaping Writer, log: @escaping (LogLevel, String) -> Void) {
        self.writer = writer
        self.log = log
    }

    public func write(_ incident: Incident) {
        switch writer(incident) {
        case .success(let path):
            lastWritten = (incident.id, path)
            unwritten[incident.id] = nil
            onWritten()
        case .failure(let error):
            if unwritten[incident.id] == nil {
                log(.error, "incident \(incident.id) not written (\(error)); will retry")
            }
            unwritten[incident.id] = incident
        }
    }

    public func journal(_ incident: Incident) {
        let file = lastWritten?.id == incident.id ? lastWritten?.path : nil
        let result = SystemdJournal.send(SystemdJournal.fields(for: incident, file: file))
        // The entry carries _SYSTEMD_UNIT=headroom.service, so `journalctl -u headroom` shows it too.
        if result < 0 {
            log(.warning, "journal entry for incident \(incident.id) not written (errno \(-result)): "
                + incident.narrative)
        }
    }

    func retryUnwritten() {
        guard !unwritten.isEmpty else { return }
        for incident in unwritten.values { write(incident) }
    }
}
