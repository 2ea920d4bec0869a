/// How much memory trouble the VM is in.
public enum PressureLevel: String, Equatable, Comparable, Sendable {
    /// Nothing to do: swappiness at its calm value, slow tick.
    case calm
    /// Watch closely: swap may work (pressure swappiness), fast tick, log.
    case elevated
    /// Act: restart the culprit.
    case critical

    private var rank: Int {
        switch self {
        case .calm: 0
        case .elevated: 1
        case .critical: 2
        }
    }

    public static func < (lhs: PressureLevel, rhs: PressureLevel) -> Bool { lhs.rank < rhs.rank }
}

/// The condition that raised the level: which signal, its value and its threshold.
public struct Trigger: Equatable, Sendable {
    public enum Signal: String, Equatable, Sendable {
        /// Seconds until MemAvailable reaches zero at the recent slope.
        case forecast
        /// MemAvailable as a percentage of MemTotal.
        case available
        /// PSI full avg10 (all tasks stalled).
        case psiFull = "psi_full"
        /// PSI some avg10.
        case psiSome = "psi_some"
        /// Swap used as a percentage of swap total.
        case swapUsed = "swap_used"
        /// The kernel's OOM killer fired (`/proc/vmstat` oom_kill).
        case kernelOomKill = "kernel_oom_kill"
    }

    public var signal: Signal
    public var value: Double
    public var threshold: Double
    /// How long the condition had held when it was acted on.
    public var heldSeconds: Double

    public var sentence: String {
        switch signal {
        case .forecast: "memory would have run out in ~\(Int(value.rounded())) s (threshold \(Int(threshold)) s)"
        case .available: "only \(String(format2: value)) % of memory was available (threshold \(String(format2: threshold)) %)"
        case .psiFull: "all tasks stalled on memory \(String(format2: value)) % of the last 10 s (threshold \(String(format2: threshold)) %)"
        case .psiSome: "tasks stalled on memory \(String(format2: value)) % of the last 10 s (threshold \(String(format2: threshold)) %)"
        case .swapUsed: "swap was \(String(format2: value)) % full (threshold \(String(format2: threshold)) %)"
        case .kernelOomKill: "the kernel OOM killer fired \(Int(value)) time(s)"
        }
    }
}

/// The levels' rules, evaluated on one observation.
public struct LevelRules: Sendable {
    public let settings: SupervisorSettings

    public init(settings: SupervisorSettings) { self.settings = settings }

    public struct Signals: Equatable, Sendable {
        public var availablePercent: Double
        public var swapUsedPercent: Double
        public var psiSomeAvg10: Double
        public var psiFullAvg10: Double
        public var forecastSeconds: Double?
    }

    public static func signals(_ sample: SystemSample, forecastSeconds: Double?) -> Signals {
        let info = sample.meminfo
        let available = info.memTotal > 0 ? Double(info.memAvailable) / Double(info.memTotal) * 100 : 100
        let swapUsed = info.swapTotal > 0 ? Double(info.swapUsed) / Double(info.swapTotal) * 100 : 0
        return Signals(availablePercent: available, swapUsedPercent: swapUsed,
                       psiSomeAvg10: sample.pressure.some.avg10, psiFullAvg10: sample.pressure.full.avg10,
                       forecastSeconds: forecastSeconds)
    }

    /// The first critical condition that holds, most urgent first.
    public func critical(_ s: Signals) -> Trigger? {
        let c = settings.critical
        if let forecast = s.forecastSeconds, forecast <= c.forecastSeconds,
           s.availablePercent <= c.forecastBelowAvailablePercent {
            return Trigger(signal: .forecast, value: forecast, threshold: c.forecastSeconds, heldSeconds: 0)
        }
        if s.availablePercent <= c.availablePercent {
            return Trigger(signal: .available, value: s.availablePercent, threshold: c.availablePercent, heldSeconds: 0)
        }
        if s.psiFullAvg10 >= c.psiFullAvg10 {
            return Trigger(signal: .psiFull, value: s.psiFullAvg10, threshold: c.psiFullAvg10, heldSeconds: 0)
        }
        if s.swapUsedPercent >= c.swapUsedPercent {
            return Trigger(signal: .swapUsed, value: s.swapUsedPercent, threshold: c.swapUsedPercent, heldSeconds: 0)
        }
        return nil
    }

    public func elevated(_ s: Signals) -> Trigger? {
        let e = settings.elevated
        if let forecast = s.forecastSeconds, forecast <= e.forecastSeconds,
           s.availablePercent <= e.forecastBelowAvailablePercent {
            return Trigger(signal: .forecast, value: forecast, threshold: e.forecastSeconds, heldSeconds: 0)
        }
        if s.availablePercent <= e.availablePercent {
            return Trigger(signal: .available, value: s.availablePercent, threshold: e.availablePercent, heldSeconds: 0)
        }
        if s.psiSomeAvg10 >= e.psiSomeAvg10 {
            return Trigger(signal: .psiSome, value: s.psiSomeAvg10, threshold: e.psiSomeAvg10, heldSeconds: 0)
        }
        if s.swapUsedPercent >= e.swapUsedPercent {
            return Trigger(signal: .swapUsed, value: s.swapUsedPercent, threshold: e.swapUsedPercent, heldSeconds: 0)
        }
        return nil
    }
}
