#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// The daemon's budget record, `/run/headroom/budget` (under `--root DIR`:
/// `DIR/run/headroom/budget`): peaks and overage starts (`BudgetRecord`) for the one-shot
/// commands. `/run` is per boot, so a record never mixes two boots; a restarted daemon picks
/// up the record it left. World-readable (0644) like the status file: checks run unprivileged.
public struct BudgetRecordFile: Sendable {
    public static let defaultPath = "/run/headroom/budget"
    static let fileMode: mode_t = 0o644
    static let directoryMode: mode_t = 0o755

    public let path: String

    public init(path: String = BudgetRecordFile.defaultPath) {
        self.path = path
    }

    /// `DIR/run/headroom/budget` under `--root DIR`; `path` overrides it.
    public init(paths: KernelPaths, path: String? = nil) {
        self.init(path: path ?? paths.path(BudgetRecordFile.defaultPath))
    }

    /// - Returns: nil when there is no record (the daemon has not written one this boot).
    /// - Throws: a sentence naming the path when the file cannot be read or is not a record.
    public func read() throws(BudgetRecordFileError) -> BudgetRecord? {
        let text: KernelText?
        do {
            text = try KernelFileReader.readIfPresent(path)
        } catch {
            throw BudgetRecordFileError(description: "\(path): cannot be read: \(error)")
        }
        guard let text else { return nil }
        do {
            return try BudgetRecord.parse(text.bytes)
        } catch {
            throw BudgetRecordFileError(description: "\(path): not a budget record: \(error.reason)")
        }
    }

    /// Replaces the file atomically.
    public func write(_ record: BudgetRecord) throws(AtomicWriteError) {
        try AtomicFile.write(record.jsonValue.rendered() + "\n", to: path, mode: Self.fileMode,
                             createDirectory: Self.directoryMode)
    }
}

/// Why the budget record could not be read; names the path.
public struct BudgetRecordFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

/// What the daemon runs to keep the budget record: `observe` on every budget report it
/// computes (peaks are kept in memory from each), and the file is rewritten when an overage
/// starts or ends, or every `writeIntervalMs` otherwise. Starting, it continues the record this
/// boot's earlier daemon left (a restart forgets no peak).
///
/// In the daemon, once at start: `BudgetRecorder(file: BudgetRecordFile(paths: options.paths),
/// nowMs: Clock.wallClockMs())`; then every `config.budget.recordIntervalSeconds` of the tick,
/// with that tick's samples: `recorder.observe(BudgetReport.compute(system:services:
/// perServiceAvailable:config:), nowMs: Clock.wallClockMs())`, logging a returned error once.
/// The file is left in place on stop (the next daemon of this boot continues it).
public final class BudgetRecorder {
    public let file: BudgetRecordFile
    public let writeIntervalMs: Int64
    public private(set) var record: BudgetRecord
    private var lastWriteMs: Int64?

    /// - Parameters:
    ///   - writeIntervalMs: the longest the file goes without a rewrite; `headroom check`
    ///     treats a record older than 3 intervals as stale (see `HealthCheck.Settings`).
    public init(file: BudgetRecordFile, nowMs: Int64, writeIntervalMs: Int64 = 60_000) {
        self.file = file
        self.writeIntervalMs = writeIntervalMs
        record = (try? file.read()) ?? BudgetRecord(startedAtMs: nowMs)
    }

    /// Takes in one report; writes the file when due.
    /// - Returns: the write's failure, for the daemon's log; nil when written or not due.
    @discardableResult
    public func observe(_ report: BudgetReport, nowMs: Int64) -> AtomicWriteError? {
        let overBefore = overages
        record.observe(report, nowMs: nowMs)
        let due = lastWriteMs.map { nowMs - $0 >= writeIntervalMs } ?? true
        guard due || overages != overBefore else { return nil }
        do {
            try file.write(record)
            lastWriteMs = nowMs
            return nil
        } catch {
            return error
        }
    }

    private var overages: Set<String> {
        Set(record.categories.filter { $0.value.overSinceMs != nil }.map { "category:" + $0.key }
            + record.units.filter { $0.value.overSinceMs != nil }.map(\.key))
    }
}
