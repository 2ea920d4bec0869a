/// Scores services: over-budget bytes and recent growth weigh most, then swap held,
/// working set and its own pressure. Protected units are listed but never chosen.
public enum CulpritScoring {
    static let mebibyte = Double(1 << 20)

    public static func score(over: UInt64, growth: UInt64, swap: UInt64, workingSet: UInt64, pressure: Double,
                             weight: Double) -> Double {
        let bytes = 2.0 * Double(over) + 3.0 * Double(growth) + 0.5 * Double(swap) + 0.25 * Double(workingSet)
        return (bytes / mebibyte + pressure) * weight
    }
}
