/// How much of each unit's cgroup to read on a tick.
///
/// Under pressure every file counts (scoring uses swap, pressure and events). While calm
/// the supervisor only follows each unit's working set, so the daemon reads memory.current
/// every tick and memory.stat (for inactive_file) every few ticks; reading memory.stat is
/// also the expensive part in the kernel (it flushes the cgroup's statistics).
public enum ScanDetail: Equatable, Sendable {
    /// memory.current, .stat, .events, .swap.current, .pressure.
    case full
    /// memory.current and memory.stat; the other figures keep their last values.
    case currentAndStat
    /// memory.current only; the other figures keep their last values.
    case currentOnly

    /// While calm, memory.stat (inactive_file, for each unit's working set) is read every this many ticks.
    public static let statEveryCalmTicks = 5

    /// The detail of the `tick`-th calm tick in a row.
    public static func calm(tick: Int) -> ScanDetail {
        tick % statEveryCalmTicks == 0 ? .currentAndStat : .currentOnly
    }
}
