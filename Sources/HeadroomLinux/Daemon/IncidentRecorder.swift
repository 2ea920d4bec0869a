#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Incident files and journal entries for the daemon. A file that cannot be written (state
/// directory full) and a journal entry journald did not take (journald stopped) are kept and
/// retried every tick, each said once when it fails and once when the retry succeeds; the
/// journal entry names the file its incident was last written to.
public final class IncidentRecorder: IncidentSink {
    /// Writes (creates or replaces) an incident file; returns its path.
    public typealias Writer = (Incident) -> Result<String, any Error>

    let writer: Writer
    let log: (LogLevel, String) -> Void
    /// Called after a file was written (the metrics' incident tally is then out of date).
    var onWritten: () -> Void = {}
    private(set) var unwritten: [String: Incident] = [:]
    /// Entries journald did not take, with the file each named (a later write may have moved `lastWritten` on).
    private(set) var unjournaled: [String: (incident: Incident, file: String?)] = [:]
    /// Entries already built (an incident finished as interrupted at start), by incident id.
    private(set) var unsentEntries: [String: [String]] = [:]
    /// The last file written; a journal entry always follows its incident's write.
    private var lastWritten: (id: String, path: String)?

    /// Sends one journal entry's fields: 0 or a negative errno (`SystemdJournal.send`; tests replace it).
    let send: ([String]) -> Int32

    public init(writer: @escaping Writer, log: @escaping (LogLevel, String) -> Void,
                send: @escaping ([String]) -> Int32 = SystemdJournal.send) {
        self.writer = writer
        self.log = log
        self.send = send
    }

    public func write(_ incident: Incident) {
        switch writer(incident) {
        case .success(let path):
            lastWritten = (incident.id, path)
            if unwritten.removeValue(forKey: incident.id) != nil {
                log(.notice, "incident \(incident.id) written to \(path) on a retry")
            }
            onWritten()
        case .failure(let error):
            if unwritten[incident.id] == nil {
                log(.error, "incident \(incident.id) not written (\(error)); will retry")
            }
            unwritten[incident.id] = incident
        }
    }

    public func journal(_ incident: Incident) {
        let file = lastWritten?.id == incident.id ? lastWritten?.path : unjournaled[incident.id]?.file
        let result = send(SystemdJournal.fields(for: incident, file: file))
        // The entry carries _SYSTEMD_UNIT=headroom.service, so `journalctl -u headroom` shows it too.
        if result >= 0 {
            if unjournaled.removeValue(forKey: incident.id) != nil {
                log(.notice, "journal entry for incident \(incident.id) written on a retry")
            }
        } else if unjournaled.updateValue((incident, file), forKey: incident.id) == nil {
            log(.warning, "journal entry for incident \(incident.id) not written (\(String(cString: strerror(-result)))); "
                + "will retry: \(incident.narrative)")
        }
    }

    /// A journal entry whose fields are already built, kept and retried like the others.
    public func journal(entry fields: [String], of id: String) {
        let result = send(fields)
        if result >= 0 {
            if unsentEntries.removeValue(forKey: id) != nil {
                log(.notice, "journal entry for incident \(id) written on a retry")
            }
        } else if unsentEntries.updateValue(fields, forKey: id) == nil {
            log(.warning, "journal entry for incident \(id) not written (\(String(cString: strerror(-result)))); will retry")
        }
    }

    /// The files, then the journal entries (which name the file once it is written).
    func retryUnwritten() {
        guard !unwritten.isEmpty || !unjournaled.isEmpty || !unsentEntries.isEmpty else { return }
        for incident in unwritten.values { write(incident) }
        for entry in unjournaled.values { journal(entry.incident) }
        for (id, fields) in unsentEntries { journal(entry: fields, of: id) }
    }
}
