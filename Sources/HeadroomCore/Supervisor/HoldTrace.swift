/// A debug line for a tick on which the policy weighed the units and acted on none: which
/// limit the VM was at, and why its fastest grower was left alone, with the figures the rules
/// used (`journalctl -u headroom -p debug`). An incident says why at most once per cause per
/// 10 minutes; a late action is diagnosed from what was held on the ticks before it.
/// A line is written when the limit, the unit or its reason changes, and at most every
/// `repeatSeconds` otherwise.
struct HoldTrace: Sendable {
    /// Compared on every held tick, so it holds values, not text: the line is built only when written.
    private struct Key: Equatable, Sendable {
        var limit: WarmUpRule.AbsorbLimit?
        var unit: String?
        var exclusion: Exclusion?
        var harmful: Bool
    }

    static let repeatSeconds = 5.0
    private var last: (key: Key, time: Double)?

    mutating func line(at time: Double, reading: ExhaustionHorizon.Reading, limit: WarmUpRule.AbsorbLimit?,
                       candidates: [UnitCandidate], settings: PolicySettings) -> String? {
        let grower = candidates.lazy.filter { $0.exclusion != .protected }
            .max { $0.growth.recent.bytesPerSecond < $1.growth.recent.bytesPerSecond }
        let key = Key(limit: limit, unit: grower?.unit,
                      exclusion: grower.flatMap { Candidate.exclusion($0, settings: settings) },
                      harmful: grower?.harmClass != nil)
        if let last, last.key == key, time - last.time < Self.repeatSeconds { return nil }
        last = (key, time)
        let reason = grower == nil ? "no unit to weigh" : Self.reason(key)
        var text = "held: horizon \(Self.seconds(reading.seconds)) (\(reading.basis.rawValue)), "
            + "limit \(limit?.rawValue ?? "none"), \(ByteSize.format(reading.availableBytes)) available"
        guard let grower else { return text + "; " + reason }
        let growth = grower.growth
        text += "; \(grower.unit): \(reason); 2 s rate \(Self.rate(growth.recent.bytesPerSecond)), "
            + "6 s \(Self.rate(growth.burst.bytesPerSecond)), growing for \(Self.seconds(grower.growingForSeconds)), "
            + "age \(Self.seconds(grower.ageSeconds))"
        if let untouched = grower.untouchedReservationBytes { text += ", mapped ahead \(ByteSize.format(untouched))" }
        return text
    }

    /// The incident's words for a left-out unit (`Exclusion.sentence`), else why it was not taken.
    private static func reason(_ key: Key) -> String {
        if let exclusion = key.exclusion { return exclusion.sentence }
        return key.harmful ? "eligible, not chosen" : "no harm class"
    }

    private static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return "\(String(format2: value)) s"
    }

    private static func rate(_ bytesPerSecond: Double) -> String {
        "\(ByteSize.format(UInt64(Swift.max(0, bytesPerSecond))))/s"
    }
}
