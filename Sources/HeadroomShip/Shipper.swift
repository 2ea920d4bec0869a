#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore
import HeadroomLinux

/// One delivery run over the spool (`<state-dir>/incidents`): every incident that is due is
/// POSTed once, oldest first, and the result recorded before the next one.
public struct Shipper {
    public var url: String
    public var settings: TicketSettings
    public var spool: IncidentStore
    public var state: TicketStateStore
    public var policy: DeliveryPolicy
    public var schedule: RetrySchedule
    public var poster: any TicketPoster
    /// The wall clock in Unix milliseconds; read before each decision and each attempt.
    public var now: () -> Int64

    public init(url: String, settings: TicketSettings, stateDirectory: String, policy: DeliveryPolicy,
                poster: any TicketPoster, now: @escaping () -> Int64 = Clock.wallClockMs) {
        self.url = url
        self.settings = settings
        let directory = stateDirectory.trimmingTrailingSlashes
        spool = IncidentStore(directory: directory + "/incidents")
        state = TicketStateStore(stateDirectory: directory)
        self.policy = policy
        schedule = RetrySchedule(settings)
        self.poster = poster
        self.now = now
    }

    /// The URL for messages and the delivery state: without a `user:password@` part, and with
    /// its query and fragment replaced by `***` (webhooks often carry their token there).
    public static func redacted(_ url: String) -> String {
        var url = url
        if let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            url = String(url[...query]) + "***"
        }
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest: Substring = url[scheme.upperBound...]
        let authorityEnd: String.Index = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        let prefix = String(url[..<scheme.upperBound])
        return prefix + "***@" + String(rest[rest.index(after: at)...])
    }

    struct SpoolEntry {
        var id: String
        var file: String
        var summary: IncidentSummary
        var host: String?
        var bytes: [UInt8]
    }

    public func run() -> ShipReport {
        var report = ShipReport()
        guard let (contents, lock) = openState(&report) else {
            report.stopped = true
            return report
        }
        report.errors.append(contentsOf: contents.problems)
        let files: [String]
        do {
            files = try spool.incidentFiles()
        } catch {
            report.errors.append("cannot list the incident spool, nothing sent: \(error)")
            report.stopped = true
            return report
        }
        let (entries, present) = readSpool(files, contents: contents, report: &report)
        deliver(entries, contents: contents, report: &report)
        reconcile(contents, present: present, report: &report)
        withExtendedLifetime(lock) {}
        return report
    }

    /// Locks and loads the delivery state; nil (and the error in `report`) when it cannot.
    private func openState(_ report: inout ShipReport) -> (TicketStateStore.Contents, TicketStateLock)? {
        let lock: TicketStateLock
        do {
            lock = try state.prepareAndLock()
        } catch {
            report.errors.append("cannot keep the delivery state, nothing sent: \(error)")
            return nil
        }
        do {
            return (try state.load(), lock)
        } catch {
            report.errors.append("cannot read the delivery state, nothing sent: \(error)")
            return nil
        }
    }

    /// The spool's undelivered incidents, oldest first, and the ids of every file present.
    private func readSpool(_ files: [String], contents: TicketStateStore.Contents, report: inout ShipReport)
        -> (entries: [SpoolEntry], present: Set<String>) {
        var entries: [SpoolEntry] = []
        var present = Set<String>()
        for file in files {
            let name = String(file[file.index(after: file.lastIndex(of: "/")!)...])
            let id = String(name.dropLast(".json".count))
            present.insert(id)
            guard !contents.delivered.contains(id) else {
                report.alreadyDelivered += 1
                continue
            }
            do {
                let text = try KernelFileReader.read(file)
                let document = try JSONValue.parse(text.bytes)
                let summary = try IncidentSummary(json: document, file: file)
                let host = IncidentDocument(document).text(IncidentKey.host)
                guard summary.id == id else {
                    throw IncidentFileError(file: file, key: "id", reason: "'\(summary.id)' does not match the file name")
                }
                entries.append(SpoolEntry(id: id, file: file, summary: summary, host: host, bytes: text.bytes))
            } catch {
                report.unreadable.append(id)
                report.errors.append("incident \(id): cannot be delivered, the file is not a schema 1 incident: \(error)")
            }
        }
        // Oldest first, so tickets arrive in the order things happened.
        entries.sort { ($0.summary.startedAtMs, $0.id) < ($1.summary.startedAtMs, $1.id) }
        return (entries, present)
    }

    private func deliver(_ entries: [SpoolEntry], contents: TicketStateStore.Contents, report: inout ShipReport) {
        let shownURL = Self.redacted(url)
        var failuresInARow = 0
        for entry in entries {
            let nowMs = now()
            var record = contents.queued[entry.id] ?? QueuedRecord(id: entry.id, firstSeenAtMs: nowMs)
            if let bounded = schedule.bounded(nextAttemptMs: record.nextAttemptAtMs, at: nowMs),
               bounded != record.nextAttemptAtMs {
                // Kept, so that the bound does not move forward with every run.
                record.nextAttemptAtMs = bounded
                report.errors.append("incident \(entry.id): its next attempt lay more than "
                    + "tickets.retry_maximum_seconds ahead (the clock was changed); now due in at most "
                    + Self.duration(schedule.maximumSeconds))
                do {
                    try state.write(record)
                } catch {
                    report.errors.append("incident \(entry.id): \(error)")
                }
            }
            boundFirstSight(&record, known: contents.queued[entry.id] != nil, nowMs: nowMs, report: &report)
            let decision = policy.decide(outcome: entry.summary.outcome, updatedAtMs: entry.summary.updatedAtMs,
                                         delivered: false, nextAttemptAtMs: record.nextAttemptAtMs, nowMs: nowMs,
                                         firstSeenAtMs: record.firstSeenAtMs)
            switch decision {
            case .alreadyDelivered:
                report.alreadyDelivered += 1
            case .backingOff:
                report.backingOff.append(entry.id)
            case .awaitingOutcome:
                report.awaitingOutcome.append(entry.id)
                // Recorded at first sight, so that its pruning before delivery is noticed.
                recordFirstSight(record, contents: contents, report: &report)
            case .due where failuresInARow >= Self.consecutiveFailureLimit:
                // The receiver is down or black-holed: do not spend a timeout on every incident of
                // the spool in this run. These stay due and are tried first next time.
                report.deferred.append(entry.id)
                recordFirstSight(record, contents: contents, report: &report)
            case .due(let reason):
                let delivered = attempt(entry, reason: reason, record: &record, url: shownURL, report: &report)
                failuresInARow = delivered ? 0 : failuresInARow + 1
            }
        }
        if !report.deferred.isEmpty {
            report.errors.append("\(report.deferred.count) due incidents not tried in this run after "
                + "\(Self.consecutiveFailureLimit) failures in a row at \(shownURL): "
                + report.deferred.joined(separator: ", "))
        }
    }

    /// A first sight recorded in the future (the clock was set back since) would hold a pending
    /// incident back until then: it becomes now, and is kept so, like a bounded back-off.
    private func boundFirstSight(_ record: inout QueuedRecord, known: Bool, nowMs: Int64, report: inout ShipReport) {
        guard known, record.firstSeenAtMs > nowMs else { return }
        report.errors.append("incident \(record.id): its first seen time \(RFC3339.utc(milliseconds: record.firstSeenAtMs)) "
            + "lies in the future (the clock was changed); counted from now")
        record.firstSeenAtMs = nowMs
        do {
            try state.write(record)
        } catch {
            report.errors.append("incident \(record.id): \(error)")
        }
    }

    private func recordFirstSight(_ record: QueuedRecord, contents: TicketStateStore.Contents,
                                  report: inout ShipReport) {
        guard contents.queued[record.id] == nil else { return }
        do {
            try state.write(record)
        } catch {
            report.errors.append("incident \(record.id): \(error)")
        }
    }

    /// Queued incidents whose file is gone were pruned before delivery: said once, loudly.
    /// Delivery markers follow the spool's retention; a leftover record of a delivered one goes.
    private func reconcile(_ contents: TicketStateStore.Contents, present: Set<String>, report: inout ShipReport) {
        for (id, record) in contents.queued.sorted(by: { $0.key < $1.key }) where !present.contains(id) {
            guard !contents.delivered.contains(id) else {
                state.remove(id: id, suffix: TicketStateStore.queuedSuffix)
                continue
            }
            report.lost.append(id)
            let last = record.lastError.map { "; last error: \($0)" } ?? ""
            report.errors.append("incident \(id) was pruned from \(spool.directory) before it was delivered to "
                + "\(Self.redacted(url)) (\(record.attempts) failed attempts\(last)); it will not reach the ticket "
                + "system, see its journal entry")
            do {
                try state.write(LostRecord(id: id, noticedAtMs: now(), attempts: record.attempts,
                                           lastError: record.lastError))
            } catch {
                report.errors.append("incident \(id): \(error)")
            }
        }
        for id in contents.delivered {
            if !present.contains(id) { state.remove(id: id, suffix: TicketStateStore.deliveredSuffix) }
            if contents.queued[id] != nil { state.remove(id: id, suffix: TicketStateStore.queuedSuffix) }
        }
    }

    /// After this many failed attempts in a row, a run stops trying (the rest are deferred).
    public static let consecutiveFailureLimit = 3

    /// - Returns: whether the receiver took it (2xx).
    private func attempt(_ entry: SpoolEntry, reason: DueReason, record: inout QueuedRecord, url shownURL: String,
                         report: inout ShipReport) -> Bool {
        let attemptNumber = record.attempts + 1
        let request = TicketRequest(url: url, incidentId: entry.id, host: entry.host, body: entry.bytes,
                                    attempt: attemptNumber,
                                    extraHeaders: settings.headers, timeoutSeconds: settings.timeoutSeconds)
        let result = poster.post(request)
        let nowMs = now()
        switch AttemptVerdict.of(result) {
        case .delivered(let status):
            let delivered = DeliveredRecord(id: entry.id, deliveredAtMs: nowMs, attempts: attemptNumber,
                                            httpStatus: status, outcome: entry.summary.outcome.rawValue,
                                            url: shownURL)
            do {
                try state.write(delivered)
                report.delivered.append(entry.id)
                let note = reason == .pendingTooLong ? ", sent with outcome pending after the grace period" : ""
                report.output.append("incident \(entry.id): delivered to \(shownURL) (HTTP \(status), attempt "
                    + "\(attemptNumber)\(note))")
                return true
            } catch {
                // Sent but not recorded: it will be sent again; the receiver de-duplicates on the id.
                report.failed.append(entry.id)
                report.errors.append("incident \(entry.id): delivered to \(shownURL) (HTTP \(status)) but the "
                    + "delivery could not be recorded, so it will be sent again: \(error)")
                return true
            }
        case .retry(let why, let loud):
            let retryAfter: Double? = if case .response(_, let seconds, _) = result { seconds } else { nil }
            record.attempts = attemptNumber
            record.lastAttemptAtMs = nowMs
            record.lastError = why
            record.nextAttemptAtMs = schedule.nextAttemptMs(afterFailures: attemptNumber, at: nowMs,
                                                            retryAfterSeconds: retryAfter)
            let wait = Double(record.nextAttemptAtMs! - nowMs) / 1000
            report.failed.append(entry.id)
            report.errors.append((loud ? "ERROR: " : "") + "incident \(entry.id): POST \(shownURL) failed "
                + "(attempt \(attemptNumber)): \(why); next attempt in \(Self.duration(wait))")
            do {
                try state.write(record)
            } catch {
                report.errors.append("incident \(entry.id): the failed attempt could not be recorded, its back-off "
                    + "starts again: \(error)")
            }
        }
        return false
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }
}
