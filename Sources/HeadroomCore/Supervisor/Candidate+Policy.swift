/// The incident's candidate list from what the policy weighed, so the ticket explains the
/// decision that was taken (harm class, growth on the horizon that counted, why a unit was
/// left out), not a second ranking.
extension Candidate {
    public init(_ candidate: UnitCandidate, settings: PolicySettings) {
        let figures = candidate.figures
        let horizons = [candidate.growth.short, candidate.growth.medium, candidate.growth.long]
        let largest = horizons.max { $0.bytes < $1.bytes } ?? candidate.growth.short
        self.init(unit: candidate.unit, category: candidate.category, workingSetBytes: figures.workingSetBytes,
                  overBytes: candidate.overBytes, growthBytes: UInt64(Swift.max(0, largest.bytes)),
                  growthWindowSeconds: largest.seconds, swapBytes: figures.swapBytes,
                  pressureSomeAvg10: figures.pressureSomeAvg10, weight: 1,
                  score: candidate.responsibility / Double(1 << 20),
                  exclusion: Self.exclusion(candidate, settings: settings))
    }

    static func exclusion(_ candidate: UnitCandidate, settings: PolicySettings) -> Exclusion? {
        switch candidate.exclusion {
        case .protected: return .protected
        case .tooSmall: return .tooSmall(minimumBytes: settings.candidates.minimumWorkingSetBytes)
        case .steady: return .steadyWithinBudget
        case nil: break
        }
        switch candidate.restartBlocker {
        case .warmingUp: return .warmingUp
        case .withinPlatformBudget: return .withinPlatformBudget
        case .notRestartable: return .notRestartable
        case .sharedMemory(let bytes): return .sharedMemory(bytes: bytes)
        case nil: return nil
        }
    }

    /// The policy's candidates in its order: acted-on classes first (harm order, then
    /// responsibility), left-out units after, the largest first.
    public static func fromPolicy(_ candidates: [UnitCandidate], settings: PolicySettings) -> [Candidate] {
        let eligible = candidates.filter { $0.exclusion == nil && $0.harmClass != nil }
            .sorted(by: CulpritChooser.inHarmOrder)
        let others = candidates.filter { !($0.exclusion == nil && $0.harmClass != nil) }
            .sorted { $0.figures.workingSetBytes > $1.figures.workingSetBytes }
        return (eligible + others).map { Candidate($0, settings: settings) }
    }
}
