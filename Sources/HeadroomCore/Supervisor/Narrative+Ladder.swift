/// The narrative of a throttle, containment or runaway incident: each step with what was set,
/// its result, and the trigger; a containment ends with the command that lifts it.
extension Narrative {
    static func ladder(_ incident: Incident) -> String {
        let unit = incident.culprit ?? "?"
        let verb = switch incident.kind {
        case .throttle: "was throttled"
        case .contain: "was contained"
        case .runawayProcess: "held a runaway process, which was terminated"
        default: "was acted on"
        }
        let steps = incident.actions.map { record in
            var step = "\(record.kind.rawValue) \(record.unit)"
            if let detail = record.detail { step += " (\(detail))" }
            step += ": " + (record.result ?? "pending")
            return step
        }
        var text = "\(unit) \(verb)"
        if incident.dryRun { text += " (dry run: nothing was changed)" }
        text += " because \(incident.trigger.sentence). Steps: \(steps.joined(separator: "; "))."
        if incident.kind == .contain && !incident.dryRun {
            text += " The containment stays until lifted with: headroom release \(unit)."
        }
        if let released = incident.memoryReleasedBytes, !incident.dryRun {
            let outcome = incident.outcome == .recovered ? "memory recovered" : "memory did not recover"
            text += " Afterwards \(ByteSize.format(signed: released)) more was available (\(outcome))."
        }
        return text
    }

    static func noAction(_ reason: CulpritChooser.NoActionReason, trigger: Trigger, candidates: [Candidate]) -> String {
        noCulprit(trigger: trigger, candidates: candidates) + " Why (\(reason.code)): \(reason.sentence)."
    }
}
