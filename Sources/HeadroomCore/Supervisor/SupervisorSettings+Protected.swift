/// Which units Headroom never restarts or kills.
extension SupervisorSettings {
    /// Protected whatever the config says: Headroom itself, PID 1's scope, the journal (where
    /// Headroom reports) and the system bus (through which it acts). A `supervisor.protected`
    /// list that leaves them out, by accident or on purpose, does not unprotect them.
    public static let coreProtected: [UnitPattern] = [
        "headroom.service", "init.scope", "systemd-journald.service", "dbus.service", "dbus-broker.service",
    ].compactMap(UnitPattern.init)

    /// The core set, then `protected`, then `extra_protected`, each pattern once.
    public var effectiveProtected: [UnitPattern] {
        var seen = Set<String>()
        return (Self.coreProtected + protected + extraProtected).filter { seen.insert($0.text).inserted }
    }
}
