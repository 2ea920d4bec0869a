/// The level and everything scheduled from it: swappiness, the tick interval, and how much
/// of the cgroup tree the next tick reads (`ScanPlan`).
///
/// Levels rise at once and fall after `calmAfterSeconds` without pressure (hysteresis).
public struct LevelMachine: Sendable {
    public private(set) var settings: SupervisorSettings
    public private(set) var level: PressureLevel = .calm
    /// When the current critical condition started; nil while not critical.
    public private(set) var criticalSince: Double?
    private var lastPressureAt = -Double.infinity
    private var forecast: Forecast
    private var lastSwapTotal: UInt64?
    private var swappinessApplied: Int?
    private var tickApplied: Double?
    private var scheduler = ScanScheduler()

    public init(settings: SupervisorSettings) {
        self.settings = settings
        forecast = Forecast(window: settings.forecastWindowSeconds)
    }

    /// A reloaded config: swappiness and tick are applied again; history stays.
    public mutating func reconfigure(_ settings: SupervisorSettings) {
        self.settings = settings
        swappinessApplied = nil
        tickApplied = nil
    }

    var rules: LevelRules { LevelRules(settings: settings) }

    // MARK: Scheduling

    /// What the next tick reads; `kernelOomKillsChanged` when /proc/vmstat's oom_kill moved
    /// since the supervisor's last observation (memory.events then names the unit).
    public mutating func plan(now: Double, kernelOomKillsChanged: Bool) -> ScanPlan {
        scheduler.plan(now: now, level: level, kernelOomKillsChanged: kernelOomKillsChanged)
    }

    /// The scan of the planned tick found units gone: list again next tick.
    public mutating func scanned(vanished: Bool) { scheduler.lastVanished = vanished }

    // MARK: Observations

    /// Updates the level from one observation. - Returns: the signals it was decided on.
    mutating func observe(_ o: Observation, into actions: inout [SupervisorAction]) -> LevelRules.Signals {
        let info = o.system.meminfo
        if let previous = lastSwapTotal, previous != info.swapTotal {
            actions.append(.log(.notice, "swap changed from \(ByteSize.format(previous)) to \(ByteSize.format(info.swapTotal))"))
            forecast.reset()
        }
        lastSwapTotal = info.swapTotal
        forecast.add(time: o.time, value: Double(info.memAvailable))
        let signals = LevelRules.signals(o.system, forecastSeconds: forecast.secondsUntilZero)
        updateLevel(o, signals: signals, into: &actions)
        applySwappiness(o, into: &actions)
        let tick = level == .calm ? settings.tickSeconds : settings.fastTickSeconds
        if tickApplied != tick {
            actions.append(.setTick(tick))
            tickApplied = tick
        }
        return signals
    }

    private mutating func updateLevel(_ o: Observation, signals: LevelRules.Signals,
                                      into actions: inout [SupervisorAction]) {
        let critical = rules.critical(signals)
        let elevated = critical ?? rules.elevated(signals)
        if critical != nil { criticalSince = criticalSince ?? o.time } else { criticalSince = nil }
        if elevated != nil { lastPressureAt = o.time }
        let next: PressureLevel
        if critical != nil { next = .critical }
        else if elevated != nil { next = .elevated }
        else if level != .calm && o.time - lastPressureAt < settings.calmAfterSeconds { next = .elevated }
        else { next = .calm }
        guard next != level else { return }
        let reason = (critical ?? elevated)?.sentence
            ?? (next == .calm ? "no pressure for \(Int(settings.calmAfterSeconds)) s"
                              : "critical conditions cleared; staying elevated for \(Int(settings.calmAfterSeconds)) s")
        actions.append(.log(next > level ? .warning : .info, "memory level \(level.rawValue) -> \(next.rawValue): \(reason)"))
        level = next
    }

    private mutating func applySwappiness(_ o: Observation, into actions: inout [SupervisorAction]) {
        let swappiness = level == .calm ? settings.calmSwappiness : settings.pressureSwappiness
        guard swappinessApplied != swappiness else { return }
        swappinessApplied = swappiness
        if settings.dryRun {
            actions.append(.log(.info, "dry run: would set vm.swappiness to \(swappiness)"))
        } else if o.system.swappiness != swappiness {
            actions.append(.setSwappiness(swappiness))
        }
    }

    /// The critical condition that holds now, once it has held for the dwell time.
    func actionableTrigger(_ signals: LevelRules.Signals, at time: Double) -> Trigger? {
        guard level == .critical, let since = criticalSince, time - since >= settings.critical.dwellSeconds,
              var trigger = rules.critical(signals) else { return nil }
        trigger.heldSeconds = time - since
        return trigger
    }
}
