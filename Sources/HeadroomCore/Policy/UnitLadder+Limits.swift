/// The values the ladder sets, and why.
extension UnitLadder {
    static let mebibyte: UInt64 = 1 << 20

    /// Throttle `MemoryHigh`: what the unit has now, or its budget when that is more, plus
    /// `throttleSlackPercent`. It takes nothing back from the unit (no harm to a warm-up);
    /// it only makes further growth come out of the unit's own pages (reclaim, swap) instead of
    /// the VM's, which slows a leak to what swap can take and gives the ladder time.
    public static func throttleValue(_ candidate: UnitCandidate, settings: PolicySettings) -> UInt64 {
        let base = Swift.max(candidate.figures.workingSetBytes, candidate.expectedBytes ?? 0)
        return roundUp(UInt64(Double(base) * (1 + settings.ladder.throttleSlackPercent / 100)))
    }

    /// Containment `MemoryMax`/`MemoryHigh`.
    ///
    /// The RAM the unit could have without starving anyone is what is available plus what it
    /// holds now (the kernel takes that back when its cgroup OOMs), less the reserve kept for
    /// everyone else. The unit gets `containRoomSharePercent` of that, the rest stays for the
    /// bystanders; at least its budget and `containGrowthFactor` times what it settled at, so a
    /// healthy run fits and its restarts stay rare (systemd's start limit would otherwise give
    /// up on it), but never more than that RAM. `MemorySwapMax` (0 by default) keeps the leak
    /// out of the VM's swap, as in the measured guest run (DESIGN §5).
    ///
    /// A unit none of whose runs settled (each was cut while it still grew: restarted during its
    /// start) has no known normal size; its start may need anything the VM can hold. It gets all
    /// of that RAM: a share of it was below one application's start heap (1.24 GiB for a start
    /// of 2.4 GiB on 3 GiB), which then met its limit at every start, a crash loop of a healthy
    /// service. A leak from its start is then held at the reserve, not at half the room.
    ///
    /// A platform unit with a budget (an agent, the management reserve) is held at
    /// `containGrowthFactor` times that budget, or what it settled at: the platform reserved
    /// that much for it, and its leak must not take the customer's spare RAM (a 100 MiB
    /// agent was contained at 674 MiB, a 256 MiB one at 1019 MiB, by the share of spare RAM).
    public static func containLimits(_ candidate: UnitCandidate, horizon: ExhaustionHorizon.Reading,
                                     memTotal: UInt64, settings: PolicySettings) -> (max: UInt64, high: UInt64) {
        let reserve = WarmUpRule.reserveBytes(memTotal: memTotal, settings: settings.warmUp)
        let normal = candidate.normalBytes ?? candidate.figures.workingSetBytes
        let lower = normal + settings.candidates.minimumWorkingSetBytes
        let affordable = (horizon.availableBytes + candidate.figures.workingSetBytes).over(reserve)
        let share = UInt64(Double(affordable) * settings.ladder.containRoomSharePercent / 100)
        let platformBudget = candidate.category == .application ? nil : candidate.expectedBytes
        let wanted = if let platformBudget {
            UInt64(Double(platformBudget) * settings.ladder.containGrowthFactor)
        } else if candidate.settledBytes == nil {
            affordable
        } else {
            Swift.max(share, UInt64(Double(normal) * settings.ladder.containGrowthFactor), candidate.expectedBytes ?? 0)
        }
        let memoryMax = roundUp(Swift.max(lower, Swift.min(wanted, affordable)))
        let memoryHigh = roundUp(UInt64(Double(memoryMax) * settings.ladder.containHighPercent / 100))
        return (memoryMax, Swift.min(memoryHigh, memoryMax))
    }

    static func roundUp(_ bytes: UInt64) -> UInt64 {
        (bytes + mebibyte - 1) / mebibyte * mebibyte
    }
}
