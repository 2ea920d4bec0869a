/// One unit's escalation ladder as a value state machine (DESIGN §5): throttle, restart,
/// contain. Events in (chosen as culprit, a tick, the restart job's end, `headroom release`),
/// actions out; the shell carries the actions out through systemd.
///
/// - throttle: runtime `MemoryHigh=` at what the unit already has (or its budget, if more),
///   plus a little: it keeps everything it has but reclaims its own pages instead of pushing
///   the VM. Harmless to a warm-up; lifted once the horizon stays ample for `liftAfterSeconds`.
/// - restart: when the horizon is at or below `restartHorizonSeconds`, or the VM can no longer
///   absorb; SIGKILL to its processes if the job has not finished by the deadline while it still
///   cannot.
/// - contain: a unit that grew back after `containAfterRestarts` restarts gets a runtime
///   `MemoryMax=`/`MemoryHigh=` (and `MemorySwapMax=`) so its leak stays in its own cgroup,
///   where the kernel's cgroup OOM and systemd's `Restart=` deal with it. Only
///   `headroom release UNIT` (or a config change) lifts it.
/// A unit that may be warming up (`UnitCandidate.mayBeWarmingUp`) is never throttled, and
/// restarted only when the VM cannot absorb it.
public struct UnitLadder: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case idle
        /// `quietSince`: since when the horizon has been ample (for the lift).
        case throttled(memoryHigh: UInt64, since: Double, quietSince: Double?)
        case restarting(since: Double, killed: Bool)
        case contained(memoryMax: UInt64, memoryHigh: UInt64, since: Double)
    }

    public enum Action: Equatable, Sendable {
        /// SetUnitProperties(runtime) `MemoryHigh=memoryHigh`.
        case throttle(unit: String, memoryHigh: UInt64)
        /// SetUnitProperties(runtime) `MemoryHigh=infinity` (back to the unit's own setting).
        case liftThrottle(unit: String)
        /// RestartUnit(unit, "replace"); report its JobRemoved through `restartFinished`.
        /// `liftingThrottle`: reset its runtime `MemoryHigh=` first (a runtime property outlives a restart).
        case restart(unit: String, liftingThrottle: Bool)
        /// KillUnit(unit, "all", SIGKILL).
        case kill(unit: String)
        /// SetUnitProperties(runtime) `MemoryMax=`, `MemoryHigh=`, `MemorySwapMax=`.
        case contain(unit: String, memoryMax: UInt64, memoryHigh: UInt64, swapMax: UInt64)
        /// Lift what Headroom set at runtime (`headroom release UNIT`).
        case release(unit: String)
    }

    /// Why the ladder did not move when its unit was chosen.
    public enum Hold: Equatable, Sendable {
        case restartPending, alreadyContained, alreadyThrottled
        /// It grows faster than swap takes pages: a throttle would stall it, not slow the VM's
        /// consumption; it waits for the restart horizon.
        case throttleCannotHelp
        /// It grew back past its containment limit before it could be contained: not restarted
        /// again (no loop) unless the VM stalls.
        case tooLargeToContain
        /// The horizon is above the throttle horizon: nothing is due.
        case notDue
        /// Restart due, but the unit may not be restarted (warm-up the VM absorbs, ...).
        case restartBlocked(UnitCandidate.RestartBlocker)
    }

    public enum Decision: Equatable, Sendable {
        case act(Action)
        case hold(Hold)
    }

    public let unit: String
    public internal(set) var step: Step

    /// `step` other than idle: a ladder rebuilt from the state directory (`PolicyMemory`).
    public init(unit: String, step: Step = .idle) {
        self.unit = unit
        self.step = step
    }

    /// The chooser picked this unit. `absorbLimit` is `WarmUpRule.absorbLimit` for this tick.
    public mutating func escalate(_ candidate: UnitCandidate, horizon: ExhaustionHorizon.Reading,
                                  absorbLimit: WarmUpRule.AbsorbLimit?, memTotal: UInt64, at time: Double,
                                  settings: PolicySettings) -> Decision {
        switch step {
        case .restarting: return .hold(.restartPending)
        case .contained: return .hold(.alreadyContained)
        case .idle, .throttled: break
        }
        let seconds = horizon.seconds ?? .infinity
        let throttleDue = absorbLimit != nil || seconds <= settings.ladder.throttleHorizonSeconds
        // A platform unit past its own budget is never throttled; its restart costs no customer
        // anything, so it comes at the throttle horizon instead of waiting for the restart one.
        let restartDue = seconds <= settings.ladder.restartHorizonSeconds || absorbLimit != nil
            || (throttleDue && candidate.harmClass == .platformOverBudget)
        let mayRestart = candidate.restartBlocker == nil
        // A leak growing back after its restart is contained whatever the horizon: it is known,
        // and a limit set while it is small costs nothing.
        if mayRestart && candidate.regrowing && candidate.restarts >= settings.ladder.containAfterRestarts {
            let limits = Self.containLimits(candidate, horizon: horizon, memTotal: memTotal, settings: settings)
            // Limits below what the unit holds make the kernel reclaim it down inside the write,
            // with PID 1 waiting on it (measured: 1.4 GiB to 774 MiB took over 25 s, D-Bus timed
            // out, 17 s of full stall). Such a unit is restarted instead, when a restart is due,
            // and contained as soon as it grows back, while it is still small.
            if candidate.figures.footprintBytes <= limits.high {
                step = .contained(memoryMax: limits.max, memoryHigh: limits.high, since: time)
                return .act(.contain(unit: unit, memoryMax: limits.max, memoryHigh: limits.high,
                                     swapMax: settings.ladder.containSwapMaxBytes))
            }
            // Back above its limit already: a leak is contained on its way up, so this is most
            // likely a start that allocates its heap at once (restarted by mistake). No restart
            // loop: another restart only while the VM already stalls. A platform unit past its
            // budget is restarted again when due: that costs no customer anything, and its next
            // regrowth is contained on its way up.
            guard absorbLimit == .stall || (restartDue && candidate.harmClass == .platformOverBudget) else {
                return .hold(.tooLargeToContain)
            }
        }
        guard throttleDue else { return .hold(.notDue) }
        // A unit that may be warming up is never throttled (a throttle would slow its start)
        // and restarted only when the VM cannot absorb it: growing at this rate and size, it
        // would take the VM down whether it is a leak or a warm-up too large for the VM.
        let restartAllowed = candidate.mayBeWarmingUp
            ? candidate.warmUpMayBeRestarted(under: absorbLimit, horizon: horizon, memTotal: memTotal, settings: settings)
            : restartDue
        if restartAllowed && mayRestart {
            let throttled = if case .throttled = step { true } else { false }
            step = .restarting(since: time, killed: false)
            return .act(.restart(unit: unit, liftingThrottle: throttled))
        }
        if case .throttled = step {
            if restartDue, let blocker = candidate.restartBlocker { return .hold(.restartBlocked(blocker)) }
            return .hold(.alreadyThrottled)
        }
        if candidate.mayBeWarmingUp { return .hold(.restartBlocked(.warmingUp)) }
        guard candidate.throttleHelps(settings: settings) else { return .hold(.throttleCannotHelp) }
        let high = Self.throttleValue(candidate, settings: settings)
        step = .throttled(memoryHigh: high, since: time, quietSince: nil)
        return .act(.throttle(unit: unit, memoryHigh: high))
    }

    /// Every tick while this unit has a step: lifts the throttle when the pressure has passed,
    /// escalates a restart that is late while the VM still cannot absorb.
    public mutating func tick(horizon: ExhaustionHorizon.Reading, absorbLimit: WarmUpRule.AbsorbLimit?,
                              at time: Double, settings: PolicySettings) -> Action? {
        switch step {
        case .throttled(let high, let since, let quietSince):
            let ample = !horizon.stalled && (horizon.seconds ?? .infinity) > settings.ladder.liftHorizonSeconds
            guard ample else {
                step = .throttled(memoryHigh: high, since: since, quietSince: nil)
                return nil
            }
            let quiet = quietSince ?? time
            guard time - quiet >= settings.ladder.liftAfterSeconds else {
                step = .throttled(memoryHigh: high, since: since, quietSince: quiet)
                return nil
            }
            step = .idle
            return .liftThrottle(unit: unit)
        case .restarting(let since, false):
            let urgent = absorbLimit != nil || (horizon.seconds ?? .infinity) <= settings.ladder.restartHorizonSeconds
            guard urgent, time - since >= settings.ladder.restartDeadlineSeconds else { return nil }
            step = .restarting(since: since, killed: true)
            return .kill(unit: unit)
        case .idle, .restarting, .contained:
            return nil
        }
    }

    /// The restart job ended (any result): the unit is back at the bottom of the ladder; its
    /// history (start time) tells whether it regrows.
    public mutating func restartFinished() {
        if case .restarting = step { step = .idle }
    }

    /// `headroom release UNIT`: lifts a containment or a throttle.
    public mutating func release() -> Action? {
        switch step {
        case .contained, .throttled:
            step = .idle
            return .release(unit: unit)
        case .idle, .restarting:
            return nil
        }
    }
}
