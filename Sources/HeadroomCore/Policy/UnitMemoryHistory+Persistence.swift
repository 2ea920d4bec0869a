/// What of a unit's history must survive a daemon restart (DESIGN §5: "per-unit history kept in
/// the state directory so a daemon restart forgets nothing"): its restarts and the sizes that
/// tell regrowth, not the rings (they refill in minutes).
extension UnitMemoryHistory {
    public struct Remembered: Equatable, Sendable {
        public var unit: String
        public var startedAt: Double?
        public var restarts: Int
        public var levelAtLastRestart: UInt64?
        public var settledBytes: UInt64?
        public var earlierSettledBytes: UInt64?
        /// How fast its run before the last restart grew (bytes per second): regrowth at that
        /// rate is seen early, while the unit is still small.
        public var rateBeforeRestart: Double?

        public init(unit: String, startedAt: Double?, restarts: Int, levelAtLastRestart: UInt64?,
                    settledBytes: UInt64?, earlierSettledBytes: UInt64?) {
            self.unit = unit
            self.startedAt = startedAt
            self.restarts = restarts
            self.levelAtLastRestart = levelAtLastRestart
            self.settledBytes = settledBytes
            self.earlierSettledBytes = earlierSettledBytes
        }
    }

    public var remembered: Remembered {
        var memory = Remembered(unit: unit, startedAt: startedAt, restarts: restarts,
                                levelAtLastRestart: levelAtLastRestart, settledBytes: settledBytes,
                                earlierSettledBytes: earlierSettledBytes)
        memory.rateBeforeRestart = rateBeforeRestart
        return memory
    }

    /// A history restored from the state directory. `startedAt` must be on the new process's
    /// tick clock (the shell converts from wall-clock time); a later start time seen on the
    /// first tick counts as a restart, as it would have without the daemon restart.
    public init(restoring memory: Remembered) {
        self.init(unit: memory.unit)
        restore(memory)
    }
}
