extension PolicyMemory {
    /// A cheap summary of what must not be lost, compared after every tick so that the state
    /// file is written when it changed and never on a calm tick: it changes when a restart is
    /// noted (or a restarted unit is forgotten) and when a ladder step is taken or left.
    /// Computed in place, with no allocation (the steady tick's malloc check runs it).
    ///
    /// Left out on purpose: a throttle's `quietSince` (it comes and goes with every flap of the
    /// horizon under pressure, and losing it only delays a lift) and what a unit without
    /// restarts settled at (noted once per unit run; the stop's write keeps it).
    public struct Fingerprint: Equatable, Sendable {
        /// Of the units with restarts: name, restarts, level at the last restart.
        public private(set) var histories = 0
        /// Of the ladders with a step: name, step and its figures.
        public private(set) var ladders = 0

        public init() {}

        public init(_ policy: PolicyEngine) {
            // Sums of per-entry hashes: the dictionaries' order does not matter.
            for history in policy.histories.values where history.restarts > 0 {
                var hasher = Hasher()
                hasher.combine(history.unit)
                hasher.combine(history.restarts)
                hasher.combine(history.levelAtLastRestart)
                histories &+= hasher.finalize()
            }
            for ladder in policy.ladders.values where ladder.step != .idle {
                ladders &+= Self.hash(ladder)
            }
        }

        private static func hash(_ ladder: UnitLadder) -> Int {
            var hasher = Hasher()
            hasher.combine(ladder.unit)
            switch ladder.step {
            case .idle:
                hasher.combine(0)
            case .throttled(let high, let since, _):
                hasher.combine(1)
                hasher.combine(high)
                hasher.combine(since)
            case .restarting(let since, let killed):
                hasher.combine(2)
                hasher.combine(since)
                hasher.combine(killed)
            case .contained(let max, let high, let since):
                hasher.combine(3)
                hasher.combine(max)
                hasher.combine(high)
                hasher.combine(since)
            }
            return hasher.finalize()
        }
    }
}
