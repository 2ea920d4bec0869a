/// Why a candidate may not be acted on. The decision branches on the case; the incident
/// and the journal carry `sentence`.
public enum Exclusion: Equatable, Sendable {
    /// Matches `supervisor.protected` (or the core protected set).
    case protected
    /// Working set below `minimum_culprit_bytes`.
    case tooSmall(minimumBytes: UInt64)
    /// Grew less than `minimum_culprit_bytes` over the growth window and within its budget:
    /// acting on it frees memory but punishes a bystander.
    case steadyWithinBudget

    public var sentence: String {
        switch self {
        case .protected: "protected"
        case .tooSmall(let minimum): "too small (working set below \(ByteSize.format(minimum)))"
        case .steadyWithinBudget: "not growing and within its budget"
        }
    }
}
