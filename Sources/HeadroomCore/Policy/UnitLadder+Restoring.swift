/// A ladder rebuilt from the state directory (`PolicyMemory`): the step it was on.
extension UnitLadder {
    public init(unit: String, step: Step) {
        self.init(unit: unit)
        self.step = step
    }
}
