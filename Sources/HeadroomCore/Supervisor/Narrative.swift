/// The one paragraph ops read first, in an incident and in the journal's MESSAGE.
enum Narrative {
    static func restart(_ incident: Incident, culprit: Candidate, settings: SupervisorSettings) -> String {
        let unit = culprit.unit
        var verb = "was restarted"
        if incident.dryRun { verb = "would have been restarted (dry run: nothing was changed)" }
        let kill = incident.actions.first { $0.kind == .kill }
        let restart = incident.actions.first { $0.kind == .restart }
        if let result = restart?.result, result != JobResult.done.recordText, result != JobResult.dryRunRecordText {
            verb = "could not be restarted (systemd job result: \(result))"
        } else if restart?.result == nil && !incident.dryRun {
            verb = "is being restarted"
        }
        if kill != nil {
            verb += ", its processes killed with SIGKILL after the restart did not finish within "
                + "\(Int(settings.restartDeadlineSeconds)) s"
        }
        var reasons: [String] = []
        if culprit.growthBytes > 0 {
            reasons.append("it grew \(ByteSize.format(culprit.growthBytes)) in \(Int(culprit.growthWindowSeconds.rounded())) s")
        }
        reasons.append("it used \(ByteSize.format(culprit.workingSetBytes))")
        if culprit.overBytes > 0 { reasons.append("\(ByteSize.format(culprit.overBytes)) over its budget") }
        if culprit.swapBytes > 0 { reasons.append("held \(ByteSize.format(culprit.swapBytes)) of swap") }
        var text = "\(unit) \(verb): \(reasons.joined(separator: ", ")), and \(incident.trigger.sentence)."
        if let released = incident.memoryReleasedBytes, !incident.dryRun {
            let outcome = incident.outcome == .recovered ? "memory recovered" : "memory did not recover"
            text += " Afterwards \(ByteSize.format(signed: released)) more was available (\(outcome))."
        }
        return text
    }

    static func noCulprit(trigger: Trigger, candidates: [Candidate]) -> String {
        let why = candidates.prefix(3).map { "\($0.unit) (\($0.excludedReason ?? "eligible"))" }
        let list = why.isEmpty ? "no service was found" : "the largest candidates were " + why.joined(separator: ", ")
        return "Memory was critical (\(trigger.sentence)) but Headroom did not act: \(list)."
    }

    static func kernelOomKill(kills: UInt64, units: [String]) -> String {
        let place = units.isEmpty ? "" : " in \(units.joined(separator: ", "))"
        return "The kernel OOM killer killed \(kills) process(es)\(place); Headroom did not prevent it."
    }
}
