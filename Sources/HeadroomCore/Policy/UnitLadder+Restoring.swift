/// A ladder rebuilt from the state directory (`PolicyMemory`): the step it was on and, for a
/// throttle, what the unit held when throttled (so a leak under the throttle is still told from
/// a warm-up after a daemon restart).
extension UnitLadder {
    public init(unit: String, step: Step, baseline: ThrottleBaseline? = nil) {
        self.init(unit: unit)
        self.step = step
        if case .throttled = step { self.baseline = baseline }
    }
}
