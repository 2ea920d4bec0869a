#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// The boot the pruning runs in: its id, and when it started on the wall clock.
public struct BootClock: Equatable, Sendable {
    public var id: String
    public var startedAtMs: Int64

    public init(id: String, startedAtMs: Int64) {
        self.id = id
        self.startedAtMs = startedAtMs
    }

    /// This boot: `/proc/sys/kernel/random/boot_id`, and now minus CLOCK_BOOTTIME (which counts suspend).
    public static func current(paths: KernelPaths, nowMs: Int64) -> BootClock {
        var uptime = timespec()
        clock_gettime(CLOCK_BOOTTIME, &uptime)
        return BootClock(id: HostIdentity.bootID(paths: paths),
                         startedAtMs: nowMs - Int64(uptime.tv_sec) * 1000 - Int64(uptime.tv_nsec) / 1_000_000)
    }
}

extension IncidentStore {
    /// No incident predates this (2024-01-01): a date before it was written under a clock not yet set.
    static let earliestPlausibleMs: Int64 = 1_704_067_200_000
    /// Dates up to this far ahead of now are taken as they are (clock drift between runs).
    static let futureSlackMs: Int64 = 86_400_000

    /// Deletes the incident files older than `keepDays`, then the oldest beyond `keepCount`.
    ///
    /// An incident's age comes from its `started_at_ms` (its mtime where that cannot be read),
    /// corrected for a wall clock that was wrong when it was written or is wrong now:
    /// - one written in this boot (`boot_id`) is dated no earlier than the boot began and no later
    ///   than now: written before NTP set the clock, it is not older than the boot;
    /// - any other whose date is before 2024 or more than a day ahead falls back to its mtime,
    ///   and where that is implausible too, its mtime is set to now: it ages from this run on,
    ///   so it is kept `keepDays` rather than deleted at once (1970) or kept forever (2100).
    /// While the clock itself says before 2024 (not yet set), nothing is pruned.
    ///
    /// - Returns: the paths removed.
    @discardableResult
    public func prune(nowMs: Int64, boot: BootClock? = nil) -> [String] {
        guard nowMs >= Self.earliestPlausibleMs, let files = try? incidentFiles() else { return [] }
        var dated = files.map { file in (file: file, startedMs: age(of: file, nowMs: nowMs, boot: boot)) }
        // Newest first; equal times by name, so the choice is stable.
        dated.sort { ($0.startedMs, $0.file) > ($1.startedMs, $1.file) }
        let cutoff = nowMs - Int64(keepDays) * 86_400_000
        var removed: [String] = []
        for (index, entry) in dated.enumerated() where index >= keepCount || entry.startedMs < cutoff {
            if unlink(entry.file) == 0 { removed.append(entry.file) }
        }
        return removed
    }

    private func age(of file: String, nowMs: Int64, boot: BootClock?) -> Int64 {
        var started: Int64?
        var bootId: String?
        if let json = try? document(at: file), case .object(let fields) = json {
            if case .integer(let value)? = fields["started_at_ms"] { started = value }
            if case .string(let value)? = fields["boot_id"] { bootId = value }
        }
        let plausible = Self.earliestPlausibleMs...(nowMs &+ Self.futureSlackMs)
        if let started, let boot, bootId == boot.id, boot.startedAtMs <= nowMs {
            return min(max(started, boot.startedAtMs), nowMs)
        }
        if let started, plausible.contains(started) { return started }
        var info = stat()
        guard stat(file, &info) == 0 else { return Int64.min }
        let modified = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
        if plausible.contains(modified) { return modified }
        // From now on it ages like any other.
        let now = timespec(tv_sec: Int(nowMs / 1000), tv_nsec: Int(nowMs % 1000) * 1_000_000)
        let times = [now, now]
        return utimensat(AT_FDCWD, file, times, 0) == 0 ? nowMs : modified
    }
}
