import HeadroomCore

/// The readable form of an incident file, from its JSON so that any schema 1 file renders,
/// whichever version of headroom wrote it. Missing values show as "?".
enum IncidentText {
    typealias Key = IncidentKey

    static func render(_ json: JSONValue) -> String {
        let doc = IncidentDocument(json)
        var out: [String] = []
        var title = "Incident \(doc.text(Key.id) ?? "?")"
        if let host = doc.text(Key.host) { title += " on \(host)" }
        if let started = doc.text(Key.startedAt) { title += ", \(started)" }
        if doc.flag(Key.dryRun) { title += " (dry run)" }
        out += [title, "", doc.text(Key.narrative) ?? "(no narrative)", ""]
        out.append(triggerLine(doc.object(Key.trigger)))
        out.append("Level      \(doc.text(Key.level) ?? "?"), kind \(doc.text(Key.kind) ?? "?")")
        if let system = doc.object(Key.system) { out.append(systemLine(system)) }
        out.append("Culprit    " + (doc.text(Key.culprit) ?? "none"))
        out.append("")
        out += candidates(doc.items(Key.candidates))
        out.append("")
        out += actions(doc.items(Key.actions))
        out.append("")
        out += outcome(doc)
        return out.joined(separator: "\n")
    }

    private static func triggerLine(_ trigger: IncidentDocument?) -> String {
        var line = "Trigger    " + (trigger?.text(Key.sentence) ?? "?")
        if let signal = trigger?.text(Key.signal) {
            line += " [\(signal)"
            if let held = trigger?.double(Key.heldSeconds) { line += ", held \(seconds(held))" }
            line += "]"
        }
        return line
    }

    private static func systemLine(_ system: IncidentDocument) -> String {
        var line = "System     available \(size(system.double(Key.memAvailableBytes))) of "
            + "\(size(system.double(Key.memTotalBytes)))"
        if let total = system.double(Key.swapTotalBytes), total > 0, let free = system.double(Key.swapFreeBytes) {
            line += ", swap \(size(total - free)) used of \(size(total))"
        }
        let pressure = system.object(Key.pressure)
        if let some = pressure?.object(Key.some)?.double(Key.avg10),
           let full = pressure?.object(Key.full)?.double(Key.avg10) {
            line += ", PSI some \(String(format2: some)) % full \(String(format2: full)) %"
        }
        if let forecast = system.double(Key.forecastSeconds) { line += ", forecast \(seconds(forecast))" }
        return line
    }

    private static func candidates(_ candidates: [IncidentDocument]) -> [String] {
        guard !candidates.isEmpty else { return ["Candidates: none"] }
        var table = TextTable(header: ["UNIT", "CATEGORY", "SCORE", "WORKING SET", "OVER", "GROWTH", "WINDOW",
                                       "SWAP", "PSI SOME10", "WEIGHT", "EXCLUDED"],
                              rightAligned: [2, 3, 4, 5, 6, 7, 8, 9])
        for candidate in candidates {
            let parts = candidate.object(Key.parts)
            table.add([
                candidate.text(Key.unit) ?? "?",
                candidate.text(Key.category) ?? "?",
                decimals(candidate.double(Key.score)),
                size(parts?.double(Key.workingSetBytes)),
                size(parts?.double(Key.overBytes)),
                size(parts?.double(Key.growthBytes)),
                parts?.double(Key.growthWindowSeconds).map(seconds) ?? "?",
                size(parts?.double(Key.swapBytes)),
                decimals(parts?.double(Key.pressureSomeAvg10)),
                decimals(parts?.double(Key.weight)),
                candidate.text(Key.excludedReason) ?? "-",
            ])
        }
        return ["Candidates (score and its parts):", table.render(indent: "  ")]
    }

    private static func actions(_ actions: [IncidentDocument]) -> [String] {
        guard !actions.isEmpty else { return ["Actions: none"] }
        var table = TextTable(header: ["ACTION", "UNIT", "ISSUED", "FINISHED", "RESULT", "DRY RUN"])
        for action in actions {
            table.add([action.text(Key.kind) ?? "?", action.text(Key.unit) ?? "?",
                       action.integer(Key.issuedAtMs).map(RFC3339.utc) ?? "?",
                       action.integer(Key.finishedAtMs).map(RFC3339.utc) ?? "-",
                       action.text(Key.result) ?? "pending",
                       action.flag(Key.dryRun) ? "yes" : "no"])
        }
        return ["Actions:", table.render(indent: "  ")]
    }

    private static func outcome(_ doc: IncidentDocument) -> [String] {
        var out: [String] = []
        var outcome = "Outcome    " + (doc.text(Key.outcome) ?? "?")
        if let released = doc.double(Key.memoryReleasedBytes) {
            outcome += "; memory released: " + (released < 0 ? "-" + size(-released) : size(released))
        }
        out.append(outcome)
        let kills = doc.integer(Key.kernelOomKillsDuring) ?? 0
        let killed = doc.texts(Key.kernelOomKilledUnits)
        if kills > 0 || !killed.isEmpty {
            out.append("Kernel OOM kills during the incident: \(kills)"
                + (killed.isEmpty ? "" : " (in \(killed.joined(separator: ", ")))"))
        }
        if let updated = doc.text(Key.updatedAt) { out.append("Updated    \(updated)") }
        return out
    }

    private static func decimals(_ value: Double?) -> String { value.map { String(format2: $0) } ?? "?" }

    private static func size(_ bytes: Double?) -> String {
        guard let bytes, bytes >= 0, bytes < 1.8e19 else { return "?" }
        return ByteSize.format(UInt64(bytes))
    }

    private static func seconds(_ value: Double) -> String { "\(Int(value.rounded())) s" }
}
