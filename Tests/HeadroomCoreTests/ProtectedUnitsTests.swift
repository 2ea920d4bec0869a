import HeadroomCore
import Testing

@Suite("Protected units: a core set no config can drop, extra_protected to add")
struct ProtectedUnitsTests {
    static let core = ["headroom.service", "init.scope", "systemd-journald.service", "dbus.service",
                       "dbus-broker.service"]

    static func settings(_ supervisor: String) throws(ConfigError) -> SupervisorSettings {
        try HeadroomConfig.parse(Array(#"{"supervisor": \#(supervisor)}"#.utf8)).supervisor
    }

    @Test("a protected list without the core units still protects them")
    func coreSurvivesAReplacedList() throws {
        let settings = try Self.settings(#"{"protected": ["postgresql"]}"#)
        for unit in Self.core { #expect(settings.isProtected(unit), "\(unit)") }
        #expect(settings.isProtected("postgresql.service"))
        #expect(!settings.isProtected("sshd.service"))
        #expect(!settings.isProtected("headroom-ship.service"))
        let empty = try Self.settings(#"{"protected": []}"#)
        for unit in Self.core { #expect(empty.isProtected(unit), "\(unit)") }
    }

    @Test("extra_protected adds to the default list instead of replacing it")
    func extraAdds() throws {
        let settings = try Self.settings(#"{"extra_protected": ["postgresql", "backup-*"]}"#)
        #expect(settings.isProtected("postgresql.service"))
        #expect(settings.isProtected("backup-nightly.service"))
        #expect(settings.isProtected("sshd.service"))
        #expect(settings.protected == SupervisorSettings().protected)
        let bad = #"{"supervisor": {"extra_protected": ["ok", 3]}}"#
        #expect(throws: ConfigError(path: "supervisor.extra_protected[1]",
                                    message: "expected a unit name or glob as a string, found a number")) {
            try HeadroomConfig.parse(Array(bad.utf8))
        }
    }

    @Test("config show lists the effective set, and the shown config reads back")
    func effectiveSetIsShown() throws {
        let config = try HeadroomConfig.parse(Array(#"{"supervisor": {"protected": ["sshd"], "extra_protected": ["pg"]}}"#.utf8))
        guard case .object(let supervisor) = config.jsonValue.objectValue("supervisor") ?? .null,
              case .array(let effective)? = supervisor["effective_protected"] else {
            Issue.record("no effective_protected in \(config.renderJSON())")
            return
        }
        #expect(effective == (Self.core + ["sshd", "pg"]).map(JSONValue.string))
        #expect(try HeadroomConfig.parse(Array(config.renderJSON().utf8)) == config)
    }

    @Test("an edited effective_protected is refused, naming the key")
    func effectiveSetCannotBeSet() {
        do {
            _ = try Self.settings(#"{"effective_protected": ["sshd"]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.path == "supervisor.effective_protected")
            #expect(error.message.contains("extra_protected"))
        }
    }
}

extension JSONValue {
    func objectValue(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
