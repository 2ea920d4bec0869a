/// The incident's evidence: the units of one observation with the score's parts and, per
/// unit, the first rule that makes it no culprit. The choice itself is `PolicyEngine`'s. A new per-unit rule is one more case of `Exclusion` and one
/// more line in `exclusion(...)`.
struct CulpritRanking {
    let settings: SupervisorSettings
    let budget: BudgetConfig
    let history: UnitHistory

    /// At most this many candidates are kept (and written into incidents).
    static let kept = 10

    func rank(_ o: Observation) -> [Candidate] {
        var candidates: [Candidate] = []
        for service in o.services {
            candidates.append(candidate(service, at: o.time))
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.unit < $1.unit }
        return Array(candidates.prefix(Self.kept))
    }

    private func candidate(_ service: ServiceSample, at time: Double) -> Candidate {
        let (category, expected) = budget.classify(unit: service.unit)
        let workingSet = service.workingSet
        let over = expected.map { workingSet > $0 ? workingSet - $0 : 0 } ?? 0
        var grew: UInt64 = 0
        var window = 0.0
        if let history = history.growth[service.unit], let slope = history.slope, slope > 0 {
            window = min(settings.growthWindowSeconds, time - (history.firstTime ?? time))
            grew = UInt64(saturating: slope * window)
        }
        let swap = service.swapCurrent ?? 0
        let pressure = service.pressure?.some.avg10 ?? 0
        var weight = 1.0
        if settings.prefer.contains(where: { $0.matches(service.unit) }) { weight = 2 }
        if settings.avoid.contains(where: { $0.matches(service.unit) }) { weight = 0.25 }
        return Candidate(
            unit: service.unit, category: category, workingSetBytes: workingSet, overBytes: over,
            growthBytes: grew, growthWindowSeconds: window, swapBytes: swap, pressureSomeAvg10: pressure,
            weight: weight,
            score: CulpritScoring.score(over: over, growth: grew, swap: swap, workingSet: workingSet,
                                        pressure: pressure, weight: weight),
            exclusion: exclusion(service.unit, workingSet: workingSet, grew: grew, over: over, at: time))
    }

    private func exclusion(_ unit: String, workingSet: UInt64, grew: UInt64, over: UInt64,
                           at time: Double) -> Exclusion? {
        if settings.isProtected(unit) { return .protected }
        if workingSet < settings.minimumCulpritBytes { return .tooSmall(minimumBytes: settings.minimumCulpritBytes) }
        if grew < settings.minimumCulpritBytes && over == 0 { return .steadyWithinBudget }
        return nil
    }
}
