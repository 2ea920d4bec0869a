#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomCore
@testable import HeadroomLinux
import Testing

/// Runtime limits, runaway processes and evidence through the executor, with a fake bus and a
/// state directory in /tmp; runaways are real child processes.
@Suite("Action executor: limits, runaways, evidence")
struct ActionExecutorShellTests {
    static let mib: UInt64 = 1 << 20
    typealias Journal = ActionExecutorTests.Journal

    /// An executor with the shell pieces, events collected instead of fed to a supervisor.
    final class Rig {
        let directory = FileManager.default.temporaryDirectory.path + "/headroom-executor-" + UUID().uuidString
        let journal = Journal()
        var events: [ActionExecutor.Event] = []
        var now = 100.0
        var executor: ActionExecutor!
        var store: RuntimeLimitStore { RuntimeLimitStore(stateDirectory: directory + "/state") }
        var cgroups: String { directory + "/cgroup" }

        init() throws {
            try FileManager.default.createDirectory(atPath: directory + "/cgroup/system.slice/web.service",
                                                    withIntermediateDirectories: true)
            try write("system.slice/web.service/memory.high", "max\n")
            try write("system.slice/web.service/memory.max", "\(2048 * mib)\n")
            let effects = ActionExecutor.Effects(setSwappiness: { _ in }, setTick: { _ in }, log: { _, _ in },
                                                 now: { [unowned self] in now }, wallClockMs: { 1_800_000_000_000 })
            executor = ActionExecutor(units: journal, incidents: journal, effects: effects) { [unowned self] event in
                events.append(event)
                return []
            }
            let cgroups = cgroups
            executor.limits = UnitLimitActions(store: store, currentValues: { unit in
                Daemon.cgroupLimits(unit == "web.service" ? cgroups + "/system.slice/web.service" : nil)
            }, log: { _, _ in })
            executor.runaways = RunawayTerminations(reader: ProcessSnapshotReader(),
                                                    cgroupDirectory: { cgroups + "/" + $0 }, log: { _, _ in })
            executor.runaways?.settings.minimumBytes = 0
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// Polls (as each tick does) until an event arrives, for up to 2 s.
        func pollUntilEvent() {
            for _ in 0..<100 where events.isEmpty {
                executor.poll()
                usleep(20_000)
            }
        }

        /// A login session scope's cgroup holding `pid`; returns its path relative to the cgroup root.
        func scope(_ name: String, pid: Int32) throws -> String {
            let scope = "user.slice/user-1000.slice/" + name
            try FileManager.default.createDirectory(atPath: cgroups + "/" + scope, withIntermediateDirectories: true)
            try write(scope + "/cgroup.procs", "\(pid)\n")
            return scope
        }

        func write(_ relative: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: cgroups + "/" + relative))
        }
    }

    static let contain = SupervisorAction.setUnitLimits(unit: "web.service", purpose: .contain, memoryHigh: 600 * mib,
                                                        memoryMax: 700 * mib, memorySwapMax: 0, incidentID: "i-1")

    @Test("setUnitLimits: the call goes out first, the record keeps the unit's own values, the result is delivered")
    func setLimits() throws {
        let rig = try Rig()
        let incident = try Self.incident(culprit: "web.service")
        rig.executor.perform([.writeIncident(incident), Self.contain])
        #expect(rig.journal.entries == [
            .properties("web.service", "MemoryHigh=600 MiB, MemoryMax=700 MiB, MemorySwapMax=0 B"),
            .write(incident.id, .pending),
        ])
        #expect(rig.events == [.limitsApplied(unit: "web.service", purpose: .contain, result: .done)])
        let limit = try #require(try rig.store.load()["web.service"])
        #expect(limit.purpose == .contain)
        #expect(limit.incidentID == "i-1")
        #expect(limit.values == [.memoryHigh: 600 * Self.mib, .memoryMax: 700 * Self.mib, .memorySwapMax: 0])
        // memory.swap.max is absent in the fixture: nothing known, a lift puts infinity back.
        #expect(limit.previous == [.memoryHigh: RuntimeLimit.infinity, .memoryMax: 2048 * Self.mib])

        rig.executor.perform([.liftUnitLimits(unit: "web.service", purpose: .contain)])
        #expect(rig.journal.entries.last == .properties("web.service", "MemoryHigh=infinity, MemoryMax=2 GiB, MemorySwapMax=infinity"))
        #expect(try rig.store.load().isEmpty)
    }

    @Test("a SetUnitProperties that fails later takes its entry out of the record again")
    func setLimitsFailsLater() throws {
        let rig = try Rig()
        rig.journal.propertiesResult = nil
        rig.executor.perform([Self.contain])
        // Recorded as soon as the call is out: a daemon killed now still leaves a known limit.
        #expect(try rig.store.load()["web.service"] != nil)
        #expect(rig.events.isEmpty)
        rig.journal.unanswered.removeFirst()(.notIssued("org.freedesktop.DBus.Error.AccessDenied: denied"))
        #expect(try rig.store.load().isEmpty)
        #expect(rig.events == [.limitsApplied(unit: "web.service", purpose: .contain,
                                              result: .notIssued("org.freedesktop.DBus.Error.AccessDenied: denied"))])
    }

    @Test("the end of a throttle does not lift a containment")
    func throttleEndKeepsContainment() throws {
        let rig = try Rig()
        rig.executor.perform([Self.contain])
        rig.journal.entries = []
        rig.executor.perform([.liftUnitLimits(unit: "web.service", purpose: .throttle)])
        #expect(rig.journal.entries.isEmpty)
        #expect(try rig.store.load()["web.service"]?.purpose == .contain)
    }

    @Test("a unit taken out of the record by `headroom release` is noticed once; the daemon's own lifts are not")
    func releaseNoticed() throws {
        let rig = try Rig()
        let limits = try #require(rig.executor.limits)
        limits.noteRecordedUnits()
        rig.executor.perform([Self.contain])
        #expect(limits.releasedElsewhere().isEmpty)
        // What `headroom release web.service` does to the record (after lifting over D-Bus).
        try rig.store.update { $0.remove(unit: "web.service") }
        #expect(limits.releasedElsewhere() == ["web.service"])
        #expect(limits.releasedElsewhere().isEmpty)
        rig.executor.perform([Self.contain])
        rig.executor.perform([.liftUnitLimits(unit: "web.service", purpose: .contain)])
        #expect(limits.releasedElsewhere().isEmpty)
    }

    @Test("terminateRunaway: SIGTERM to the scope's process; its exit is reported on the next poll")
    func runawayExitsOnTerm() throws {
        let rig = try Rig()
        let child = try ChildProcess("exec sleep 30")
        defer { kill(child.pid, SIGKILL); _ = child.reap(block: true) }
        #expect(child.waitForName("sleep"))
        let scope = try rig.scope("session-3.scope", pid: child.pid)
        rig.executor.perform([.terminateRunaway(scope: "session-3.scope", cgroupPath: scope, deadlineSeconds: 5, incidentID: "i-2")])
        #expect(rig.events.isEmpty)
        rig.pollUntilEvent()
        #expect(rig.events == [.runawayTerminated(scope: "session-3.scope", pid: child.pid, command: "sleep 30",
                                                  outcome: "exited_after_term")])
        #expect(child.reap(block: true).map { $0 & 0x7f } == SIGTERM)
    }

    @Test("terminateRunaway: a process that ignores SIGTERM gets SIGKILL at the deadline, on a poll")
    func runawayKilledAtDeadline() throws {
        let rig = try Rig()
        // An ignored signal stays ignored across exec: once the name is "sleep", the trap is
        // set (waiting for "sh" raced the trap on a loaded host: SIGTERM came first).
        let child = try ChildProcess("trap '' TERM; exec sleep 30")
        defer { kill(child.pid, SIGKILL); _ = child.reap(block: true) }
        #expect(child.waitForName("sleep"))
        let scope = try rig.scope("session-4.scope", pid: child.pid)
        rig.executor.perform([.terminateRunaway(scope: "session-4.scope", cgroupPath: scope, deadlineSeconds: 2, incidentID: "i-3")])
        usleep(200_000)
        rig.executor.poll()
        #expect(rig.events.isEmpty, "still there before the deadline")
        rig.now += 2
        rig.pollUntilEvent()
        guard case .runawayTerminated(_, let pid, _, let outcome)? = rig.events.first else {
            Issue.record("no outcome: \(rig.events)")
            return
        }
        #expect(pid == child.pid)
        #expect(outcome == "killed")
        #expect(child.reap(block: true).map { $0 & 0x7f } == SIGKILL)
    }

    @Test("terminateRunaway in a scope with no large process: left alone, reported at once")
    func runawayLeftAlone() throws {
        let rig = try Rig()
        rig.executor.runaways?.settings.minimumBytes = UInt64.max
        let scope = try rig.scope("session-5.scope", pid: getpid())
        rig.executor.perform([.terminateRunaway(scope: "session-5.scope", cgroupPath: scope, deadlineSeconds: 2, incidentID: "i-4")])
        #expect(rig.events == [.runawayTerminated(scope: "session-5.scope", pid: nil, command: nil,
                                                  outcome: "left_alone: none_large_enough")])
    }

    @Test("evidence: the culprit's processes and shared memory are read before the call and kept on every write")
    func evidence() throws {
        let rig = try Rig()
        let child = try ChildProcess("exec sleep 30")
        defer { kill(child.pid, SIGKILL); _ = child.reap(block: true) }
        #expect(child.waitForName("sleep"))
        let unitDirectory = rig.cgroups + "/system.slice/web.service"
        try rig.write("system.slice/web.service/cgroup.procs", "\(child.pid)\n")
        try rig.write("system.slice/web.service/memory.stat", "anon 0\nfile 0\nactive_file 0\ninactive_file 0\nshmem \(32 * Self.mib)\n")
        rig.executor.evidence = IncidentEvidence(processes: ProcessSnapshotReader(), sharedMemory: SharedMemoryLocator(),
                                                 cgroupDirectory: { $0 == "web.service" ? unitDirectory : nil }, log: { _, _ in })
        let incident = try Self.incident(culprit: "web.service")
        rig.executor.perform([.restartUnit("web.service"), .writeIncident(incident)])
        // The process exits with the restart; a later write of the same incident keeps what was read.
        kill(child.pid, SIGKILL)
        _ = child.reap(block: true)
        rig.executor.perform([.writeIncident(incident)])
        let written = try #require(rig.journal.disk[incident.id])
        let processes = try #require(written.culpritProcesses)
        #expect(processes.map(\.pid) == [child.pid])
        #expect(processes.first?.command == "sleep 30")
        #expect(written.sharedMemory?.unitShmemBytes == 32 * Self.mib)
        let json = written.jsonValue(host: "vm", bootId: "b")
        guard case .object(let fields) = json, case .array(let rows)? = fields[IncidentKey.culpritProcesses] else {
            Issue.record("no culprit_processes in \(json)")
            return
        }
        #expect(rows.count == 1)
        #expect(fields[IncidentKey.sharedMemory] != nil)
    }

    /// A pending restart incident naming `culprit`, from the supervisor itself; a later
    /// `startingAt` (seconds) gives another id.
    static func incident(culprit: String, startingAt: Double = 0) throws -> Incident {
        let rig = ActionExecutorTests.Rig()
        rig.time = startingAt
        rig.untilRestart()
        var incident = try #require(rig.supervisor.openIncident)
        incident.culprit = culprit
        incident.outcome = .pending
        return incident
    }
}
