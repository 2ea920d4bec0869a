/// The budget categories of the platform baseline (`vm-memory-baseline.txt`).
public enum BudgetCategory: String, CaseIterable, Codable, Sendable {
    case kernel, management, monitoring, userland, cache, application

    /// Categories that own units, in the order a unit is matched against them:
    /// the first category with a matching pattern wins, so the per-unit
    /// expectations of monitoring (which names systemd-journald) beat userland's
    /// broad `systemd-*`. Application rules come last: they only give an expectation
    /// to units no platform pattern claims (an unmatched unit is application anyway).
    public static let unitCategories: [BudgetCategory] = [.monitoring, .management, .userland, .application]
}

/// One pattern of a unit category, with what one matching unit is expected to use.
public struct UnitRule: Equatable, Sendable {
    public var pattern: UnitPattern
    /// Expected working set per matching unit; nil when the category has only a reserve.
    public var expectedBytes: UInt64?

    public init(_ pattern: String, expected: UInt64? = nil) {
        guard let parsed = UnitPattern(pattern) else { preconditionFailure("invalid built-in pattern \(pattern)") }
        self.pattern = parsed
        self.expectedBytes = expected
    }

    init(pattern: UnitPattern, expectedBytes: UInt64?) {
        self.pattern = pattern
        self.expectedBytes = expectedBytes
    }
}

/// A category that owns units (management, monitoring, userland).
public struct UnitCategoryConfig: Equatable, Sendable {
    /// A fixed reserve for the whole category; when nil the category expects
    /// the sum of its present units' expectations.
    public var reserveBytes: UInt64?
    public var units: [UnitRule]

    public init(reserveBytes: UInt64?, units: [UnitRule]) {
        self.reserveBytes = reserveBytes
        self.units = units
    }
}

/// The `budget` section of the config.
public struct BudgetConfig: Equatable, Sendable {
    /// The kernel's own reserve: max(minimum, ramPercent % of installed RAM).
    public var kernelMinimumBytes: UInt64
    public var kernelRamPercent: Double
    public var management: UnitCategoryConfig
    public var monitoring: UnitCategoryConfig
    public var userland: UnitCategoryConfig
    /// Page cache the platform wants to keep (buffers and VFS cache).
    public var cacheTargetBytes: UInt64
    /// The page cache lives in the management reserve between jobs (the kernel reclaims it
    /// when a job runs), so only the part of the target beyond that reserve is held against
    /// applications. False: the whole target is added on top (every peak at once).
    public var cacheSharesManagementReserve: Bool
    /// Application units with an expectation of their own (a customer's app known to need
    /// 1.5 GiB); the reserve is unused, applications get what the model leaves.
    public var application: UnitCategoryConfig
    /// `headroom check`: a unit or category over its budget while memory is not short
    /// becomes a WARNING once it has been over this long (by the daemon's budget record).
    public var warnAfterMinutes: Double
    /// How often the daemon feeds a budget report to its `BudgetRecorder` (peaks between two
    /// reports are not seen).
    public var recordIntervalSeconds: Double = 10

    public init(kernelMinimumBytes: UInt64, kernelRamPercent: Double, management: UnitCategoryConfig,
                monitoring: UnitCategoryConfig, userland: UnitCategoryConfig, cacheTargetBytes: UInt64,
                cacheSharesManagementReserve: Bool = true,
                application: UnitCategoryConfig = UnitCategoryConfig(reserveBytes: nil, units: []),
                warnAfterMinutes: Double = 15) {
        self.kernelMinimumBytes = kernelMinimumBytes
        self.kernelRamPercent = kernelRamPercent
        self.management = management
        self.monitoring = monitoring
        self.userland = userland
        self.cacheTargetBytes = cacheTargetBytes
        self.cacheSharesManagementReserve = cacheSharesManagementReserve
        self.application = application
        self.warnAfterMinutes = warnAfterMinutes
    }

    public func units(of category: BudgetCategory) -> UnitCategoryConfig? {
        switch category {
        case .management: management
        case .monitoring: monitoring
        case .userland: userland
        case .application: application
        case .kernel, .cache: nil
        }
    }

    /// The category a unit belongs to and its expectation, by the first matching rule.
    public func classify(unit: String) -> (category: BudgetCategory, expectedBytes: UInt64?) {
        for category in BudgetCategory.unitCategories {
            guard let config = units(of: category) else { continue }
            if let rule = config.units.first(where: { $0.pattern.matches(unit) }) {
                return (category, rule.expectedBytes)
            }
        }
        return (.application, nil)
    }

    private static let mebibyte: UInt64 = 1 << 20

    /// Defaults from the platform's `vm-memory-baseline.txt`.
    public static let platformDefault = BudgetConfig(
        kernelMinimumBytes: 150 * mebibyte,
        kernelRamPercent: 2,
        management: UnitCategoryConfig(
            reserveBytes: 1_181_116_006, // 1.1 GiB, rounded to the byte
            // Platform agents and the jobs that build, upgrade and clean the system (one at a
            // time): the Flying Circus agents are all fc-*, Nix's are nix-* and nixos-*.
            units: ["nix-*", "nixos-*", "fc-*"].map { UnitRule($0) }
        ),
        monitoring: UnitCategoryConfig(
            reserveBytes: nil,
            units: [
                UnitRule("telegraf", expected: 256 * mebibyte),
                UnitRule("sensu-client", expected: 256 * mebibyte),
                UnitRule("sensu-agent", expected: 256 * mebibyte),
                UnitRule("alloy", expected: 256 * mebibyte),
                UnitRule("filebeat*", expected: 100 * mebibyte),
                UnitRule("systemd-journald", expected: 100 * mebibyte),
                UnitRule("fail2ban", expected: 100 * mebibyte),
            ]
        ),
        userland: UnitCategoryConfig(
            reserveBytes: 100 * mebibyte,
            units: ["init.scope", "sshd", "ssh", "systemd-*", "dbus", "dbus-broker", "getty@*", "serial-getty@*",
                    "autovt@*", "console-getty", "session-*.scope", "user@*", "user-runtime-dir@*", "cron",
                    "polkit", "nscd", "headroom", "qemu-guest-agent", "chronyd", "ntpd", "dhcpcd", "network-*",
                    "firewall", "nftables", "logrotate", "acpid", "atd", "rsyslog", "syslog", "auditd",
                    "lvm2-*", "mdmonitor", "modprobe@*", "kmod-*", "resolvconf", "unbound", "lldpd", "irqbalance",
                    "mcelog", "rngd", "haveged"].map { UnitRule($0) }
        ),
        cacheTargetBytes: 1024 * mebibyte
    )
}

/// The whole configuration file.
public struct HeadroomConfig: Equatable, Sendable {
    public var budget: BudgetConfig
    /// Thresholds, limits, protected units and swappiness (sections `supervisor` and `swap`).
    public var supervisor: SupervisorSettings
    public var incidents: IncidentRetention
    public var tickets: TicketSettings
    public var metrics: MetricsSettings

    public init(budget: BudgetConfig = .platformDefault, supervisor: SupervisorSettings = SupervisorSettings(),
                incidents: IncidentRetention = IncidentRetention(), tickets: TicketSettings = TicketSettings(),
                metrics: MetricsSettings = MetricsSettings()) {
        self.budget = budget
        self.supervisor = supervisor
        self.incidents = incidents
        self.tickets = tickets
        self.metrics = metrics
    }

    public static let defaultPath = "/etc/headroom/config.json"
}

/// How many incident files are kept (section `incidents`).
public struct IncidentRetention: Equatable, Sendable {
    public var keepCount = 500
    public var keepDays = 90

    public init() {}
}
