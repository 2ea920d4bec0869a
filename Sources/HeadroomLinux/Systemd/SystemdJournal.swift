import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The one structured journal entry per incident (`sd_journal_sendv`).
public enum SystemdJournal {
    /// Fixed for every Headroom incident; the catalog (systemd/headroom.catalog) explains it under `journalctl -x`.
    public static let incidentMessageID = "a6acf2a699bb47eaab515bf24f51f08b"

    /// The journal fields of an incident, in order.
    public static func fields(for incident: Incident, file: String?) -> [String] {
        let priority: Int
        switch incident.outcome {
        case .failed, .kernelOomKill, .notRecovered: priority = 3
        case .noAction: priority = 4
        default: priority = 5
        }
        var fields = [
            "MESSAGE=\(incident.narrative)",
            "MESSAGE_ID=\(incident.kind.journalMessageID)",
            "PRIORITY=\(priority)",
            "SYSLOG_IDENTIFIER=headroom",
            "HEADROOM_INCIDENT_ID=\(incident.id)",
            "HEADROOM_KIND=\(incident.kind.rawValue)",
            "HEADROOM_OUTCOME=\(incident.outcome.rawValue)",
            "HEADROOM_TRIGGER=\(incident.trigger.signal.rawValue)",
            "HEADROOM_TRIGGER_VALUE=\(incident.trigger.value)",
            "HEADROOM_MEM_AVAILABLE_BYTES=\(incident.system.memAvailableBytes)",
            "HEADROOM_SWAP_USED_BYTES=\(incident.system.swapTotalBytes - min(incident.system.swapTotalBytes, incident.system.swapFreeBytes))",
            "HEADROOM_DRY_RUN=\(incident.dryRun ? 1 : 0)",
        ]
        if let file { fields.append("HEADROOM_INCIDENT_FILE=\(file)") }
        if let culprit = incident.culprit {
            fields.append("OBJECT_SYSTEMD_UNIT=\(culprit)")
            fields.append("HEADROOM_CULPRIT=\(culprit)")
            if let candidate = incident.candidates.first(where: { $0.unit == culprit }) {
                fields.append("HEADROOM_CULPRIT_WORKING_SET_BYTES=\(candidate.workingSetBytes)")
                fields.append("HEADROOM_CULPRIT_GROWTH_BYTES=\(candidate.growthBytes)")
                fields.append("HEADROOM_CULPRIT_OVER_BYTES=\(candidate.overBytes)")
            }
        }
        if let released = incident.memoryReleasedBytes { fields.append("HEADROOM_MEMORY_RELEASED_BYTES=\(released)") }
        if let forecast = incident.system.forecastSeconds { fields.append("HEADROOM_FORECAST_SECONDS=\(forecast)") }
        return fields
    }

    /// - Returns: 0 or a negative errno (journald missing is tolerated by the caller).
    @discardableResult
    public static func send(_ fields: [String]) -> Int32 {
        // One buffer, and the iovecs built inside its scope: a pointer from
        // `withUnsafeMutableBytes` is valid only within its closure.
        var bytes: [UInt8] = []
        var spans: [(offset: Int, count: Int)] = []
        spans.reserveCapacity(fields.count)
        for field in fields {
            spans.append((bytes.count, field.utf8.count))
            bytes.append(contentsOf: field.utf8)
        }
        return bytes.withUnsafeMutableBytes { raw in
            let vectors = spans.map { span in
                iovec(iov_base: raw.baseAddress.map { $0 + span.offset }, iov_len: span.count)
            }
            return vectors.withUnsafeBufferPointer { headroom_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}

/// `sd_notify`: READY, STATUS, STOPPING. A no-op outside systemd (no NOTIFY_SOCKET).
public enum SystemdNotify {
    @discardableResult
    public static func send(_ state: String) -> Int32 { sd_notify(0, state) }
}
