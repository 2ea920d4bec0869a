/// `headroom check`: a Nagios/Sensu check over the incident files, the budget and the daemon's
/// status file. Pure: the command gathers the inputs, this decides and words the result.
public enum HealthCheck {
    /// Nagios plugin states; the raw value is the exit code.
    public enum Status: Int32, Comparable, Sendable {
        case ok = 0
        case warning = 1
        case critical = 2
        case unknown = 3

        public var label: String {
            switch self {
            case .ok: "OK"
            case .warning: "WARNING"
            case .critical: "CRITICAL"
            case .unknown: "UNKNOWN"
            }
        }

        /// Which state wins: CRITICAL (something to act on was found) over UNKNOWN (part of
        /// the inputs could not be read) over WARNING over OK.
        private var rank: Int {
            switch self {
            case .ok: 0
            case .warning: 1
            case .unknown: 2
            case .critical: 3
            }
        }

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Settings: Sendable {
        /// An incident started or updated this recently is fresh.
        public var freshMinutes: Int
        /// Tolerance, lasting time, what "short" means (`BudgetCheck`).
        public var budget: BudgetCheck.Settings
        public var checkBudget: Bool
        /// When false, a stopped daemon is mentioned but not a WARNING.
        public var requireDaemon: Bool

        public init(freshMinutes: Int = 60, budget: BudgetCheck.Settings = BudgetCheck.Settings(),
                    checkBudget: Bool = true, requireDaemon: Bool = true) {
            self.freshMinutes = freshMinutes
            self.budget = budget
            self.checkBudget = checkBudget
            self.requireDaemon = requireDaemon
        }
    }

    /// What the daemon's status file said.
    public enum DaemonFinding: Sendable {
        case running(DaemonStatus)
        case notRunning(reason: String)
        /// The file exists but could not be read; the sentence names it.
        case unreadable(String)
    }

    /// What the command could gather; a sentence per input it could not read.
    public struct Inputs: Sendable {
        public var nowMs: Int64
        /// nil when the incident directory could not be listed (then `unreadable` says why).
        public var incidents: [IncidentSummary]?
        /// nil when not checked or not readable.
        public var budget: BudgetReport?
        /// The daemon's budget record (peaks, overage starts); nil when absent or unreadable.
        public var budgetRecord: BudgetRecord?
        public var system: SystemSample?
        public var daemon: DaemonFinding
        /// Each input that could not be read, naming its path.
        public var unreadable: [String]

        public init(nowMs: Int64, incidents: [IncidentSummary]?, budget: BudgetReport?,
                    budgetRecord: BudgetRecord? = nil, system: SystemSample?, daemon: DaemonFinding,
                    unreadable: [String]) {
            self.nowMs = nowMs
            self.incidents = incidents
            self.budget = budget
            self.budgetRecord = budgetRecord
            self.system = system
            self.daemon = daemon
            self.unreadable = unreadable
        }
    }

    public struct Finding: Equatable, Sendable {
        public var status: Status
        public var text: String
    }

    public struct Outcome: Equatable, Sendable {
        public var status: Status
        public var findings: [Finding]
        /// Nagios perfdata terms (`label=value[UOM];warn;crit;min;max`).
        public var perfdata: [String]
        /// Lines that are no finding (the daemon's level, what was checked).
        public var notes: [String]

        /// The plugin output: the status line with perfdata after `|`, then one line per finding and note.
        public func render() -> String {
            let worst = findings.filter { $0.status == status }.map(\.text)
            var head = status.label + ": "
            if worst.isEmpty {
                head += notes.first ?? "nothing to report"
            } else {
                head += worst.joined(separator: "; ")
                let others = findings.count - worst.count
                if others > 0 { head += " (and \(others) more below)" }
            }
            var lines = [perfdata.isEmpty ? head : head + " | " + perfdata.joined(separator: " ")]
            lines += findings.map { "\($0.status.label): \($0.text)" }
            lines += notes
            return lines.joined(separator: "\n")
        }
    }

    public static func evaluate(_ inputs: Inputs, settings: Settings) -> Outcome {
        var findings: [Finding] = inputs.unreadable.map { Finding(status: .unknown, text: $0) }
        var notes: [String] = []
        var perfdata: [String] = []

        if let incidents = inputs.incidents {
            checkIncidents(incidents, nowMs: inputs.nowMs, freshMinutes: settings.freshMinutes, findings: &findings,
                           notes: &notes, perfdata: &perfdata)
        }

        if settings.checkBudget, let budget = inputs.budget {
            checkBudget(budget, inputs: inputs, settings: settings.budget, findings: &findings, notes: &notes,
                        perfdata: &perfdata)
        }

        if let system = inputs.system { perfdata += systemPerfdata(system) }

        switch inputs.daemon {
        case .running(let status):
            notes.append("daemon running (pid \(status.pid)), level \(status.level.rawValue) since "
                + RFC3339.utc(milliseconds: status.sinceMs))
            perfdata.append("daemon_level=\(status.level.code);1;2;0;2")
        case .notRunning(let reason):
            if settings.requireDaemon {
                findings.append(Finding(status: .warning, text: "daemon not running: " + reason))
            } else {
                notes.append("daemon not running (not required): " + reason)
            }
        case .unreadable(let reason):
            findings.append(Finding(status: .unknown, text: reason))
        }

        let status = findings.map(\.status).max() ?? .ok
        // The most severe findings first, in the order found.
        let ordered = findings.enumerated().sorted { ($0.element.status, -$0.offset) > ($1.element.status, -$1.offset) }
            .map(\.element)
        return Outcome(status: status, findings: ordered, perfdata: perfdata, notes: notes)
    }

    /// Each fresh incident is a finding: CRITICAL when the kernel killed or the action failed.
    private static func checkIncidents(_ incidents: [IncidentSummary], nowMs: Int64, freshMinutes: Int,
                                       findings: inout [Finding], notes: inout [String], perfdata: inout [String]) {
        let window = Int64(freshMinutes) * 60_000
        // An incident dated further ahead than the window was written before the clock was set
        // back: its age is unknown, and it must not stay "fresh" until that date comes.
        let latest = { (incident: IncidentSummary) in max(incident.startedAtMs, incident.updatedAtMs) }
        let future = incidents.filter { latest($0) > nowMs + window }
        let fresh = incidents.filter { (nowMs - window...nowMs + window).contains(latest($0)) }
        if !future.isEmpty {
            notes.append("\(future.count) incident(s) dated more than \(freshMinutes) min ahead of this clock "
                + "(set back since they were written?), not counted as fresh: "
                + future.prefix(3).map(\.id).joined(separator: ", "))
        }
        var critical = 0
        for incident in fresh {
            let isCritical = incident.outcome == .kernelOomKill || incident.outcome == .failed
            if isCritical { critical += 1 }
            findings.append(Finding(status: isCritical ? .critical : .warning, text: describe(incident, nowMs: nowMs)))
        }
        perfdata.append("fresh_incidents=\(fresh.count);1;;0")
        perfdata.append("fresh_critical_incidents=\(critical);;1;0")
        if fresh.isEmpty {
            notes.append("no incident in the last \(freshMinutes) min (\(incidents.count) kept)")
        }
    }

    /// Memory, swap and PSI; the PSI averages clamped to the 0...100 the perfdata declares.
    static func systemPerfdata(_ system: SystemSample) -> [String] {
        let info = system.meminfo
        func percent(_ value: Double) -> String { String(format2: min(max(value, 0), 100)) }
        return ["mem_available=\(info.memAvailable)B;;;0;\(info.memTotal)",
                "swap_used=\(info.swapUsed)B;;;0;\(info.swapTotal)",
                "psi_some_avg10=\(percent(system.pressure.some.avg10))%;;;0;100",
                "psi_full_avg10=\(percent(system.pressure.full.avg10))%;;;0;100"]
    }

    /// Over budget is a WARNING only while memory is short or once it has lasted (`BudgetCheck`).
    private static func checkBudget(_ budget: BudgetReport, inputs: Inputs, settings: BudgetCheck.Settings,
                                    findings: inout [Finding], notes: inout [String], perfdata: inout [String]) {
        let level: PressureLevel? = if case .running(let status) = inputs.daemon { status.level } else { nil }
        let shortage = BudgetCheck.shortage(meminfo: inputs.system?.meminfo, level: level, settings: settings)
        let overages = BudgetCheck.overages(budget, record: inputs.budgetRecord, nowMs: inputs.nowMs, settings: settings)
        var warned = 0
        for overage in overages {
            let (warn, text) = BudgetCheck.judge(overage, shortage: shortage, settings: settings)
            if warn {
                warned += 1
                findings.append(Finding(status: .warning, text: text))
            } else {
                notes.append(text)
            }
        }
        perfdata.append("over_budget=\(overages.count);;;0")
        perfdata.append("over_budget_warnings=\(warned);1;;0")
        if overages.isEmpty { notes.append("budget: every unit and category within its budget") }
        if !budget.perServiceAvailable {
            notes.append("budget: per-service figures unavailable here, only kernel and cache checked")
        }
    }

    static func describe(_ incident: IncidentSummary, nowMs: Int64) -> String {
        let minutes = max(0, nowMs - incident.startedAtMs) / 60_000
        let what: String = switch incident.kind {
        case .throttle: "throttle of " + (incident.culprit ?? "?")
        case .restart: "restart of " + (incident.culprit ?? "?")
        case .contain: "containment of \(incident.culprit ?? "?") (lift: headroom release \(incident.culprit ?? "UNIT"))"
        case .runawayProcess: "runaway process terminated in " + (incident.culprit ?? "?")
        case .noActionableCulprit: "critical memory, no unit to act on"
        case .kernelOomKill: "kernel OOM kill"
        }
        return "incident \(incident.id): \(what), \(minutes) min ago, outcome \(incident.outcome.rawValue)"
            + (incident.dryRun ? " (dry run)" : "")
    }
}
