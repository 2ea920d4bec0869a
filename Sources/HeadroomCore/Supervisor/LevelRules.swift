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
