/// How a "could not act" reads in incidents (`reason` code) and narratives (a sentence that
/// says where the memory is, so the ticket points at the real consumer).
extension CulpritChooser.NoActionReason {
    /// Stable code for the incident JSON and docs/OPERATIONS.md.
    public var code: String {
        switch self {
        case .consumerProtected: "consumer_protected"
        case .consumerNotRestartable: "consumer_not_restartable"
        case .memoryInSharedMemory: "memory_in_shared_memory"
        case .onlyWarmUps: "only_warm_ups"
        case .noResponsibleUnit: "no_responsible_unit"
        }
    }

    public var sentence: String {
        switch self {
        case .consumerProtected(let unit):
            "\(unit) holds the memory and is protected; no other unit was acted on in its place"
        case .consumerNotRestartable(let unit):
            "\(unit) holds the memory and systemd cannot restart it; stop it by hand"
        case .memoryInSharedMemory(let unit, let bytes):
            "\(unit) holds \(ByteSize.format(bytes)) in shared memory (tmpfs or shmem), which a restart would not "
                + "free; look at /dev/shm, /run and other tmpfs mounts"
        case .onlyWarmUps:
            // Filed only at a hard limit (stall, no room, RAM running out): the VM does not absorb.
            "the only growing units are still in their own start, and a restart would only make them start again; "
                + "none was acted on"
        case .noResponsibleUnit:
            "no unit is over its budget or growing; the VM is too small for its steady load"
        }
    }
}
