import HeadroomCore

/// When the shell reads a unit's `AddressReservation`: under pressure (a full scan), for a unit
/// young enough to be warming up whose `memory.current` grew since its last sample. That is
/// what the warm-up rule asks about, and it keeps the per-process reads (one `status` per
/// process) off calm ticks and off the many units that do not grow.
struct ReservationReading: Sendable {
    let reader: ProcessSnapshotReader
    /// `PolicySettings.WarmUp.youngSeconds`.
    let youngSeconds: Double
    /// Growth since the last sample below this is not worth the reads.
    static let minimumGrowthBytes: UInt64 = 1 << 20

    func wanted(detail: ScanDetail, startedAt: Double?, current: UInt64, previous: UInt64?) -> Bool {
        guard detail == .full, let startedAt, let previous, current >= previous.saturatingAdd(Self.minimumGrowthBytes)
        else { return false }
        return Clock.monotonicSeconds() - startedAt < youngSeconds
    }
}
