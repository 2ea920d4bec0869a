/// Settings of the decision policy (config section `policy`, docs/OPERATIONS.md "The ladder").
///
/// Every default is chosen for a class of workload, not for one scenario:
/// - a fast leak (tens to hundreds of MiB/s) outruns what swap can take, so it is judged on
///   RAM alone past `swapAbsorbBytesPerSecond`, and acted on before RAM is gone;
/// - a slow leak (MiB per minute) shows only over minutes to hours, so growth is measured on
///   a 10-minute and a 2-hour ring as well as the last 30 s;
/// - a warm-up (a heap touched after start, a build) is young and stops; while the VM can
///   absorb it with RAM plus swap it is left alone: never throttled, restarted or contained.
public struct PolicySettings: Equatable, Sendable {
    /// How the exhaustion horizon is computed.
    public struct Horizon: Equatable, Sendable {
        /// The fast trend: every sample over this window, so a 128 MiB/s leak is seen in seconds.
        public var fastWindowSeconds: Double = 5
        /// The robust trend: one point per 2 s over this window, so a warm-up that stopped
        /// fades out instead of being extrapolated, and a steady leak is confirmed.
        public var longWindowSeconds: Double = 120
        /// Share of swap kept out of the horizon: the last pages of swap are slow to use and
        /// the kernel needs some for itself.
        public var swapReservePercent: Double = 10
        /// Growth up to this rate can go to swap as fast as it comes; above it, RAM alone has to
        /// hold the difference, and the horizon is RAM's (the measured guest's virtio disk
        /// swapped out 40-60 MiB/s; 32 MiB/s leaves margin).
        public var swapAbsorbBytesPerSecond: UInt64 = 32 << 20
        /// PSI full avg10 at or above this means the VM already stalls: the horizon is 0.
        public var stallFullAvg10: Double = 10
        /// A stall counts as running out only while MemAvailable is below this share of MemTotal
        /// or steadily falls: a stall with most of RAM available and nothing consuming it is a
        /// file being streamed through a cache too small for it, or a cgroup reclaiming at its own
        /// limit (measured: a reader cycling a 2 GiB file on 1.5 GiB stalled 13 s in 120 s with
        /// 1.2 GiB available throughout). No restart frees memory there.
        public var stallAvailablePercent: Double = 25
    }

    /// When a young unit is a warm-up and when the VM can absorb it.
    public struct WarmUp: Equatable, Sendable {
        /// A unit younger than this (since its own start) may be warming up. 15 min covers
        /// JVM and database heaps, caches filled at start, and a nix build's ramp.
        public var youngSeconds: Double = 900
        /// The VM can absorb a grower while, at its current rate, the room stays above the
        /// reserve for this long: short, because a warm-up stops (at 250 MiB/s, 3 s is 750 MiB
        /// of room still kept free for it), and long enough to restart a leak before the room is gone.
        public var absorbLookaheadSeconds: Double = 3
        /// The room kept for everyone else: max(minimum, percent of MemTotal).
        public var absorbReserveMinimumBytes: UInt64 = 128 << 20
        public var absorbReservePercent: Double = 5
        /// RAM running out sooner than this (growth beyond what swap takes) cannot be absorbed.
        /// With the 1 s a forecast must hold, a leak at 128 MiB/s is restarted with ~300 MiB
        /// of RAM left (a restart frees it within a second in the guest, before any stall); a
        /// warm-up at that rate must stop with more RAM than that left, or it is one the VM
        /// cannot tell from a leak, and would stall the VM if left alone.
        public var ramCriticalSeconds: Double = 2
        /// A unit that may be warming up is restarted on a forecast (not a hard limit) only once
        /// it has grown without a pause for this long: an application allocating its heap at
        /// start does so in a burst of seconds (measured in the guest: 1.4 GiB in 3.5 s; 2.3 GiB
        /// would take ~6 s) and stops; a leak goes on (the 128 MiB/s test leak is restarted
        /// ~11 s into its growth). A hard limit (stall, RAM or room gone) does not wait, so a
        /// leak fast enough to fill RAM within this time is met at the hard limit (at 10 s the
        /// timeline's 128 MiB/s leak on 2 GiB stalled first; 7 s leaves it room).
        public var burstSeconds: Double = 7
    }

    /// What makes a unit a candidate.
    public struct Candidates: Equatable, Sendable {
        /// Growth on any horizon (30 s, 10 min, 2 h) of at least this is "growing": 24 MiB is
        /// 3 minutes of an 8 MiB/min creep and well above allocator noise.
        public var growthMinimumBytes: UInt64 = 24 << 20
        /// A unit below this working set is never a culprit (restarting it frees nothing).
        public var minimumWorkingSetBytes: UInt64 = 32 << 20
        /// shmem at or above this share of the working set: a restart would not free it.
        public var sharedMemoryDominantPercent: Double = 50
        /// Regrowing: after a restart, the working set is back to this share of its level at restart.
        public var regrowPercent: Double = 90
    }

    /// The escalation ladder.
    public struct Ladder: Equatable, Sendable {
        /// Horizon at or below which the chosen grower is throttled.
        public var throttleHorizonSeconds: Double = 180
        /// Horizon at or below which a culprit that is not a warm-up is restarted.
        public var restartHorizonSeconds: Double = 30
        /// A throttle is lifted after the horizon has stayed above this (or not shrinking)...
        public var liftHorizonSeconds: Double = 600
        /// ...for this long, without stall.
        public var liftAfterSeconds: Double = 60
        /// Throttle `MemoryHigh` = what the unit has now (or its budget, if larger) plus this
        /// share: it stops pushing the VM without taking back what it has.
        public var throttleSlackPercent: Double = 5
        /// A restart not finished after this, while the VM cannot absorb, is escalated to SIGKILL.
        public var restartDeadlineSeconds: Double = 10
        /// Restarts after which a unit that regrows is contained instead of restarted again.
        public var containAfterRestarts: Int = 1
        /// Contained `MemoryMax` = settled size times this (at least its budget), capped by the VM's room.
        public var containGrowthFactor: Double = 1.5
        /// Share of the VM's spare room a contained unit may take; the rest stays for bystanders.
        public var containRoomSharePercent: Double = 50
        /// Contained `MemoryHigh` as a share of its `MemoryMax`. 100: no throttling zone below the
        /// limit. With `MemorySwapMax=0` a leak between High and Max cannot be reclaimed, only
        /// slowed: its tasks sit in the kernel's high-limit penalty, which PSI counts as the
        /// VM's stall (measured in the guest at 90 %: 21 % full avg10 after the containment);
        /// at Max it is OOM-killed inside its cgroup at once and `Restart=` starts it again.
        public var containHighPercent: Double = 100
        /// `MemorySwapMax` of a contained unit: 0 keeps its leak out of the VM's swap.
        public var containSwapMaxBytes: UInt64 = 0
        /// Seconds after start at which a unit's size counts as settled when it never flattens.
        public var settleSeconds: Double = 60
    }

    /// A runaway process inside a protected login session (`session-*.scope`).
    public struct Runaway: Equatable, Sendable {
        /// Off: the session's process is left alone and the incident says so.
        public var terminateProcesses = true
        /// Smallest anon+swap for a process to be a runaway.
        public var minimumBytes: UInt64 = 256 << 20
        /// SIGKILL after SIGTERM when the process is still there after this.
        public var termGraceSeconds: Double = 5
    }

    public var horizon = Horizon()
    public var warmUp = WarmUp()
    public var candidates = Candidates()
    public var ladder = Ladder()
    public var runaway = Runaway()
    /// The same "could not act" (same cause, same unit) is filed at most once in this many seconds.
    public var noActionRepeatSeconds: Double = 600
    /// An episode (one incident) ends after the level has been calm this long; a flap back
    /// up within it continues the same incident.
    public var episodeQuietSeconds: Double = 120

    public init() {}
}
