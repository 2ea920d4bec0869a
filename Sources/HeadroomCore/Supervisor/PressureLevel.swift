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
