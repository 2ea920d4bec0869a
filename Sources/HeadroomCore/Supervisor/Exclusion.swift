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
    /// Young since its own start and the VM absorbs it (or it stopped growing): a warm-up.
    case warmingUp
    /// A platform unit inside what the platform reserved for it.
    case withinPlatformBudget
    /// A scope: systemd cannot restart it.
    case notRestartable
    /// Most of its memory is shmem/tmpfs, which a restart would not free.
    case sharedMemory(bytes: UInt64)

    public var sentence: String {
        switch self {
        case .protected: "protected"
        case .tooSmall(let minimum): "too small (working set below \(ByteSize.format(minimum)))"
        case .steadyWithinBudget: "not growing and within its budget"
        case .warmingUp: "may be warming up (young, and the VM absorbs it or it stopped growing)"
        case .withinPlatformBudget: "a platform unit within its own budget"
        case .notRestartable: "a scope: systemd cannot restart it"
        case .sharedMemory(let bytes): "\(ByteSize.format(bytes)) of its memory is shmem/tmpfs: a restart would not free it"
        }
    }
}
