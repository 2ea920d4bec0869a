/// What `headroom metrics` reports, as one list of metric families that both output formats
/// render (docs/MONITORING.md lists them): the Prometheus name is `measurement_field`, the
/// InfluxDB line protocol has the field `field` in the measurement `measurement`.
public struct MetricFamily: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case gauge, counter }

    public var measurement: String
    public var field: String
    public var help: String
    public var kind: Kind
    public var samples: [MetricSample]

    public var prometheusName: String { measurement + "_" + field }

    public init(_ measurement: String, _ field: String, _ kind: Kind = .gauge, help: String,
                samples: [MetricSample] = []) {
        self.measurement = measurement
        self.field = field
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

public struct MetricSample: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case integer(Int64)
        case number(Double)
        /// InfluxDB only (a string field); Prometheus has no string values.
        case text(String)
    }

    /// Label (tag) names and values, in this order.
    public var labels: [(name: String, value: String)]
    public var value: Value

    public init(_ value: Value, labels: [(name: String, value: String)] = []) {
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: MetricSample, rhs: MetricSample) -> Bool {
        lhs.value == rhs.value && lhs.labels.elementsEqual(rhs.labels) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// The figures behind one `headroom metrics` run.
public struct MetricsSnapshot: Sendable {
    /// nil when the daemon is not running.
    public var daemon: DaemonStatus?
    public var system: SystemSample
    public var budget: BudgetReport
    /// nil when the incident directory could not be listed.
    public var incidents: IncidentTally?

    public init(daemon: DaemonStatus?, system: SystemSample, budget: BudgetReport, incidents: IncidentTally?) {
        self.daemon = daemon
        self.system = system
        self.budget = budget
        self.incidents = incidents
    }

    /// Every family in output order. A value this host cannot give (per-service figures on a
    /// hybrid host, a stopped daemon's level) has no sample: it is left out, never reported as 0.
    public var families: [MetricFamily] {
        var out: [MetricFamily] = []
        daemonFamilies(&out)
        pressureFamilies(&out)
        memoryFamilies(&out)
        budgetFamilies(&out)
        incidentFamilies(&out)
        return out.filter { !$0.samples.isEmpty }
    }

    private func daemonFamilies(_ out: inout [MetricFamily]) {
        let m = "headroom_daemon"
        out.append(MetricFamily(m, "up", help: "1 when the daemon runs (its status file names a live headroom process)",
                                samples: [.init(.integer(daemon == nil ? 0 : 1))]))
        guard let daemon else { return }
        out.append(MetricFamily(m, "level_code", help: "The daemon's level: 0 calm, 1 elevated, 2 critical",
                                samples: [.init(.integer(daemon.level.code))]))
        out.append(MetricFamily(m, "level", help: "The daemon's level as text (InfluxDB only)",
                                samples: [.init(.text(daemon.level.rawValue))]))
        out.append(MetricFamily(m, "level_since_seconds", help: "When the daemon entered its level, Unix time",
                                samples: [.init(.number(Double(daemon.sinceMs) / 1000))]))
        out.append(MetricFamily(m, "start_time_seconds", help: "When the daemon started, Unix time",
                                samples: [.init(.number(Double(daemon.startedAtMs) / 1000))]))
    }

    private func pressureFamilies(_ out: inout [MetricFamily]) {
        let m = "headroom_pressure"
        let lines = [("some", system.pressure.some), ("full", system.pressure.full)]
        func family(_ field: String, _ help: String, _ kind: MetricFamily.Kind = .gauge,
                    _ value: (PressureLine) -> MetricSample.Value) -> MetricFamily {
            MetricFamily(m, field, kind, help: help,
                         samples: lines.map { .init(value($0.1), labels: [("kind", $0.0)]) })
        }
        out.append(family("avg10_percent", "Memory PSI: share of the last 10 s stalled (kind some or full)") { .number($0.avg10) })
        out.append(family("avg60_percent", "Memory PSI: share of the last 60 s stalled") { .number($0.avg60) })
        out.append(family("avg300_percent", "Memory PSI: share of the last 300 s stalled") { .number($0.avg300) })
        out.append(family("stall_microseconds_total", "Memory PSI: total stall time since boot", .counter) {
            .integer(Int64(clamping: $0.totalMicroseconds))
        })
    }

    private func memoryFamilies(_ out: inout [MetricFamily]) {
        let info = system.meminfo
        func bytes(_ measurement: String, _ field: String, _ help: String, _ value: UInt64) -> MetricFamily {
            MetricFamily(measurement, field, help: help, samples: [.init(.integer(Int64(clamping: value)))])
        }
        let m = "headroom_memory"
        out.append(bytes(m, "installed_bytes", "Installed RAM (online memory blocks; MemTotal where unknown)",
                         system.installed.bytes))
        out.append(bytes(m, "total_bytes", "MemTotal", info.memTotal))
        out.append(bytes(m, "available_bytes", "MemAvailable", info.memAvailable))
        out.append(bytes(m, "free_bytes", "MemFree", info.memFree))
        out.append(bytes(m, "buffers_bytes", "Buffers", info.buffers))
        out.append(bytes(m, "cached_bytes", "Cached", info.cached))
        out.append(bytes(m, "file_cache_bytes", "Active(file) + Inactive(file): the budget's cache", info.fileCache))
        out.append(bytes(m, "anon_bytes", "Active(anon) + Inactive(anon)", info.activeAnon.saturatingAdd(info.inactiveAnon)))
        out.append(bytes(m, "shmem_bytes", "Shmem", info.shmem))
        out.append(bytes(m, "dirty_bytes", "Dirty", info.dirty))
        let s = "headroom_swap"
        out.append(bytes(s, "total_bytes", "SwapTotal", info.swapTotal))
        out.append(bytes(s, "free_bytes", "SwapFree", info.swapFree))
        out.append(bytes(s, "used_bytes", "SwapTotal - SwapFree", info.swapUsed))
        out.append(bytes(s, "cached_bytes", "SwapCached", info.swapCached))
        out.append(MetricFamily("headroom_vm", "swappiness", help: "vm.swappiness",
                                samples: [.init(.integer(Int64(system.swappiness)))]))
        out.append(MetricFamily("headroom_vm", "oom_kills_total", .counter,
                                help: "Processes the kernel OOM killer killed since boot (/proc/vmstat oom_kill)",
                                samples: [.init(.integer(Int64(clamping: system.vmstat.oomKill)))]))
    }

    private func budgetFamilies(_ out: inout [MetricFamily]) {
        let b = "headroom_budget"
        var expected = MetricFamily(b, "expected_bytes", help: "A category's expectation (application: what is left for it)")
        var counted = MetricFamily(b, "counted_bytes",
                                   help: "What the model holds against applications for a category (cache: beyond the management reserve)")
        var actual = MetricFamily(b, "actual_bytes", help: "What a category uses")
        var over = MetricFamily(b, "over_bytes", help: "How far a category is over its expectation (0 when within)")
        var headroom = MetricFamily(b, "headroom_bytes",
                                    help: "Application budget less what applications use; negative when over")
        func add(_ family: inout MetricFamily, _ category: BudgetCategory, _ value: UInt64?) {
            guard let value else { return }
            family.samples.append(.init(.integer(Int64(clamping: value)), labels: [("category", category.rawValue)]))
        }
        for category in budget.categories {
            add(&expected, category.category, category.expectedBytes)
            add(&counted, category.category, category.countedBytes)
            add(&actual, category.category, category.actualBytes)
            add(&over, category.category, category.overBytes)
        }
        let application = budget.application
        add(&expected, .application, application.budgetBytes)
        add(&actual, .application, application.actualBytes)
        add(&over, .application, application.headroomBytes.map { $0 < 0 ? $0.magnitude : 0 })
        if let value = application.headroomBytes {
            headroom.samples.append(.init(.integer(value), labels: [("category", BudgetCategory.application.rawValue)]))
        }
        out.append(contentsOf: [expected, counted, actual, over, headroom])

        let u = "headroom_unit"
        var workingSet = MetricFamily(u, "working_set_bytes", help: "A unit's working set: memory.current - inactive_file")
        var unitExpected = MetricFamily(u, "expected_bytes", help: "A unit's own expectation, where the config gives one")
        var unitOver = MetricFamily(u, "over_bytes", help: "How far a unit is over its own expectation")
        let units = budget.categories.flatMap { category in category.units.map { (category.category, $0) } }
            + budget.application.units.map { (BudgetCategory.application, $0) }
        for (category, unit) in units {
            let labels = [(name: "category", value: category.rawValue), (name: "unit", value: unit.unit)]
            workingSet.samples.append(.init(.integer(Int64(clamping: unit.actualBytes)), labels: labels))
            if let value = unit.expectedBytes {
                unitExpected.samples.append(.init(.integer(Int64(clamping: value)), labels: labels))
                unitOver.samples.append(.init(.integer(Int64(clamping: unit.overBytes)), labels: labels))
            }
        }
        out.append(contentsOf: [workingSet, unitExpected, unitOver])
    }

    private func incidentFamilies(_ out: inout [MetricFamily]) {
        guard let tally = incidents else { return }
        let m = "headroom_incidents"
        let kinds: [Incident.Kind] = [.restart, .noActionableCulprit, .kernelOomKill]
        out.append(MetricFamily(m, "files", help: "Incident files kept in the state directory, by kind",
                                samples: kinds.map { .init(.integer(Int64(tally.byKind[$0] ?? 0)),
                                                           labels: [("kind", $0.rawValue)]) }))
        func count(_ field: String, _ help: String, _ value: Int64) -> MetricFamily {
            MetricFamily(m, field, help: help, samples: [.init(.integer(value))])
        }
        out.append(count("restarts", "Restarts Headroom issued, by the kept incident files (dry runs not counted)",
                         Int64(tally.restarts)))
        out.append(count("kills", "SIGKILL escalations Headroom issued, by the kept incident files", Int64(tally.kills)))
        out.append(count("missed_kernel_oom_kills", "Kernel OOM kills that happened anyway, by the kept incident files",
                         Int64(clamping: tally.missedKernelOomKills)))
        out.append(count("unreadable_files", "Incident files left out: unreadable or not schema 1",
                         Int64(tally.unreadableFiles)))
    }
}

extension PressureLevel {
    /// 0 calm, 1 elevated, 2 critical.
    public var code: Int64 {
        switch self {
        case .calm: 0
        case .elevated: 1
        case .critical: 2
        }
    }
}
