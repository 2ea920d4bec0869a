#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The daemon's level for others: `/run/headroom/status` (for `headroom check` and
/// `headroom metrics`) when the level changes, and systemd's STATUS= line.
final class StatusPublisher {
    let file: DaemonStatusFile
    let startedAtMs = Clock.wallClockMs()
    let log: (LogLevel, String) -> Void
    private(set) var levelSinceMs: Int64 = 0
    private var published: PressureLevel?
    private var fileFailed = false
    private var lastStatus = -Double.infinity
    private var lastStatusLevel: PressureLevel?

    /// The STATUS= line is sent this often while calm, every tick otherwise.
    static let calmStatusSeconds = 10.0

    init(paths: KernelPaths, log: @escaping (LogLevel, String) -> Void) {
        file = DaemonStatusFile(paths: paths)
        self.log = log
    }

    func publish(_ level: PressureLevel, system: SystemSample, now: Double) {
        writeFile(level)
        guard level != .calm || lastStatusLevel != level || now - lastStatus >= Self.calmStatusSeconds else { return }
        lastStatus = now
        lastStatusLevel = level
        SystemdNotify.send(statusLine(level, system))
    }

    func daemonStatus(_ level: PressureLevel) -> DaemonStatus {
        DaemonStatus(pid: getpid(), comm: "headroom", level: level, sinceMs: levelSinceMs, startedAtMs: startedAtMs)
    }

    func remove() {
        do {
            try file.remove()
        } catch {
            log(.warning, "\(error)")
        }
    }

    private func writeFile(_ level: PressureLevel) {
        guard published != level else { return }
        if published != nil || levelSinceMs == 0 { levelSinceMs = Clock.wallClockMs() }
        published = level
        do {
            try file.write(level: level, sinceMs: levelSinceMs, startedAtMs: startedAtMs)
            fileFailed = false
        } catch {
            if !fileFailed { log(.warning, "status file not written (\(error)); headroom check will say the "
                + "daemon is not running") }
            fileFailed = true
            published = nil
        }
    }

    private func statusLine(_ level: PressureLevel, _ system: SystemSample) -> String {
        let info = system.meminfo
        return "STATUS=\(level.rawValue): available \(ByteSize.format(info.memAvailable)) of "
            + "\(ByteSize.format(info.memTotal)), swap used \(ByteSize.format(info.swapUsed)), "
            + "PSI some \(system.pressure.some.avg10) full \(system.pressure.full.avg10)"
    }
}
