#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
@testable import HeadroomLinux
import Testing

/// Nothing lost when the state directory is full or journald is stopped (issue 13): the file and
/// the journal entry are retried each tick, and each problem is logged once, then once resolved.
@Suite("Incident recorder retries")
struct IncidentRecorderTests {
    final class Rig {
        var diskFull = true
        var journaldDown = true
        var files: [String] = []
        var entries: [[String]] = []
        var lines: [String] = []
        lazy var recorder = IncidentRecorder(
            writer: { [unowned self] incident in
                if diskFull {
                    return .failure(IncidentStoreError(path: "/var/lib/headroom/incidents", kind: .system(ENOSPC),
                                                       reason: "No space left on device"))
                }
                files.append(incident.id)
                return .success("/var/lib/headroom/incidents/\(incident.id).json")
            },
            log: { [unowned self] _, line in lines.append(line) },
            send: { [unowned self] fields in
                if journaldDown { return -ENOENT }
                entries.append(fields)
                return 0
            })
    }

    @Test("a journal entry journald did not take is sent on a later tick, once, naming the file")
    func journalRetried() throws {
        let rig = Rig()
        rig.diskFull = false
        let incident = try ActionExecutorShellTests.incident(culprit: "leaky.service")
        rig.recorder.write(incident)
        rig.recorder.journal(incident)
        // A second incident written meanwhile: the retried entry still names the first one's file.
        let second = try ActionExecutorShellTests.incident(culprit: "other.service", startingAt: 5)
        try #require(second.id != incident.id)
        rig.recorder.write(second)
        rig.recorder.retryUnwritten()
        rig.recorder.retryUnwritten()
        #expect(rig.entries.isEmpty)
        #expect(rig.lines.count == 1, "said once: \(rig.lines)")
        #expect(rig.lines.first?.hasPrefix("journal entry for incident \(incident.id) not written (No such file") == true)
        rig.journaldDown = false
        rig.recorder.retryUnwritten()
        rig.recorder.retryUnwritten()
        #expect(rig.entries.count == 1)
        #expect(rig.entries.first?.contains("HEADROOM_INCIDENT_FILE=/var/lib/headroom/incidents/\(incident.id).json") == true)
        #expect(rig.lines.last == "journal entry for incident \(incident.id) written on a retry")
        #expect(rig.lines.count == 2)
    }

    @Test("an incident file that could not be written is written once space is back, and the log says so once")
    func fileRetried() throws {
        let rig = Rig()
        rig.journaldDown = false
        let incident = try ActionExecutorShellTests.incident(culprit: "leaky.service")
        rig.recorder.write(incident)
        rig.recorder.journal(incident)
        for _ in 0..<3 { rig.recorder.retryUnwritten() }
        #expect(rig.files.isEmpty)
        #expect(rig.entries.count == 1, "the journal entry does not wait for the file")
        #expect(rig.lines.count == 1)
        rig.diskFull = false
        rig.recorder.retryUnwritten()
        rig.recorder.retryUnwritten()
        #expect(rig.files == [incident.id])
        #expect(rig.lines.last == "incident \(incident.id) written to /var/lib/headroom/incidents/\(incident.id).json on a retry")
        #expect(rig.lines.count == 2)
    }

    @Test("an interrupted incident's entry, built at start while journald is down, is sent later, once")
    func builtEntryRetried() {
        let rig = Rig()
        let fields = ["MESSAGE=interrupted", "HEADROOM_INCIDENT_ID=1800000000-1", "HEADROOM_OUTCOME=interrupted"]
        rig.recorder.journal(entry: fields, of: "1800000000-1")
        rig.recorder.retryUnwritten()
        #expect(rig.entries.isEmpty)
        #expect(rig.lines.count == 1 && rig.lines[0].hasPrefix("journal entry for incident 1800000000-1 not written"),
                "\(rig.lines)")
        rig.journaldDown = false
        rig.recorder.retryUnwritten()
        rig.recorder.retryUnwritten()
        #expect(rig.entries == [fields])
        #expect(rig.lines.last == "journal entry for incident 1800000000-1 written on a retry")
    }
}
