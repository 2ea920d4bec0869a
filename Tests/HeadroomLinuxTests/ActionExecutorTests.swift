import HeadroomCore
@testable import HeadroomLinux
import Testing

/// The executor's ordering, without a process or a bus: fakes record every call in order.
@Suite("Action executor")
struct ActionExecutorTests {
    /// Every call the executor made, in order.
    final class Journal: UnitControl, IncidentSink {
        enum Entry: Equatable {
            case restart(String), kill(String), write(String, Incident.Outcome), journal(String)
            /// SetUnitProperties: the unit and the assignments as text.
            case properties(String, String)
        }
        var entries: [Entry] = []
        /// The restart's result, given at once (as when the bus is down); nil: never.
        var restartResult: JobResult?
        /// The last version written of each incident, as on disk.
        var disk: [String: Incident] = [:]

        func restart(unit: String, finished: @escaping (JobResult) -> Void) {
            entries.append(.restart(unit))
            if let restartResult { finished(restartResult) }
        }
        func kill(unit: String) { entries.append(.kill(unit)) }
        /// SetUnitProperties' answer, given at once; nil: held in `unanswered` until the test answers.
        var propertiesResult: JobResult? = .done
        var unanswered: [(JobResult) -> Void] = []
        func setMemoryProperties(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)],
                                 finished: @escaping (JobResult) -> Void) {
            entries.append(.properties(unit, assignments.map { RuntimeLimit.describe($0.property, $0.value) }
                .joined(separator: ", ")))
            if let propertiesResult { finished(propertiesResult) } else { unanswered.append(finished) }
        }
        func write(_ incident: Incident) {
            entries.append(.write(incident.id, incident.outcome))
            disk[incident.id] = incident
        }
        func journal(_ incident: Incident) { entries.append(.journal(incident.id)) }
    }

    /// An executor wired to `supervisor` the way the daemon wires it.
    final class Rig {
        let journal = Journal()
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        var executor: ActionExecutor!
        var time = 0.0

        init() {
            let effects = ActionExecutor.Effects(setSwappiness: { _ in }, setTick: { _ in }, log: { _, _ in })
            executor = ActionExecutor(units: journal, incidents: journal, effects: effects) { [unowned self] event in
                guard case .jobFinished(let unit, let result) = event else { return [] }
                return supervisor.jobFinished(unit: unit, result: result, time: time, wallClockMs: 1_800_000_000_000)
            }
        }

        /// Observes a VM whose memory is nearly gone and one unit that grows, until a restart is issued.
        func untilRestart() {
            while time < 20 && !journal.entries.contains(.restart("leak.service")) {
                executor.perform(supervisor.observe(criticalObservation(at: time)))
                time += 0.25
            }
        }
    }

    static func criticalObservation(at time: Double) -> Observation {
        let mib: UInt64 = 1 << 20
        var info = Meminfo()
        info.memTotal = 2048 * mib
        info.memAvailable = 40 * mib
        info.memFree = info.memAvailable
        info.swapTotal = 1024 * mib
        info.swapFree = 1024 * mib
        // Stalling now: the full total grows with time.
        let system = SystemSample(meminfo: info, pressure: Pressure(some: PressureLine(avg10: 50),
                                                                     full: PressureLine(avg10: 30, avg60: 0, avg300: 0,
                                                                                        totalMicroseconds: UInt64(time * 300_000))),
                                  vmstat: Vmstat(), swaps: [], swappiness: 60,
                                  installed: InstalledMemory(bytes: 2048 * mib, source: .memoryBlocks))
        let leak = ServiceSample(unit: "leak.service", cgroupPath: "system.slice/leak.service",
                                 current: 500 * mib + UInt64(time * 100) * mib, swapCurrent: 0,
                                 stat: CgroupMemoryStat(), pressure: nil, events: CgroupMemoryEvents())
        return Observation(time: time, wallClockMs: 1_800_000_000_000 + Int64(time * 1000), system: system,
                           services: [leak])
    }

    @Test("a restart that fails at once leaves the failed incident on disk, not the pending one")
    func restartFailingAtOnce() throws {
        let rig = Rig()
        rig.journal.restartResult = .notIssued("not connected to systemd")
        rig.untilRestart()
        let incident = try #require(rig.journal.disk.values.first { $0.kind == .restart })
        #expect(incident.outcome == .failed)
        #expect(incident.actions.first?.result == "error: not connected to systemd")
        // The policy may file a "could not act" first (a stall with nothing grown yet); that is its own incident.
        let writes = rig.journal.entries.filter { if case .write(incident.id, _) = $0 { true } else { false } }
        #expect(writes == [.write(incident.id, .pending), .write(incident.id, .failed)])
    }

    @Test("D-Bus calls go before incident writes in a batch, whatever the batch's order")
    func busCallsFirst() throws {
        let rig = Rig()
        rig.untilRestart()
        let first = try #require(rig.journal.entries.firstIndex(of: .restart("leak.service")))
        #expect(rig.journal.entries.count > first + 1)
        if case .write = rig.journal.entries[first + 1] {} else { Issue.record("no write after the restart") }
        // Past the restart deadline while still critical: SIGKILL, and the kill before the write.
        let incident = try #require(rig.supervisor.openIncident)
        rig.journal.entries = []
        let deadline = rig.time + SupervisorSettings().restartDeadlineSeconds
        while rig.time <= deadline {
            rig.executor.perform(rig.supervisor.observe(Self.criticalObservation(at: rig.time)))
            rig.time += 0.25
        }
        #expect(rig.journal.entries.prefix(2) == [.kill("leak.service"), .write(incident.id, .pending)])
        let shuffled = ActionExecutor.Effects(setSwappiness: { _ in }, setTick: { _ in }, log: { _, _ in })
        let journal = Journal()
        let executor = ActionExecutor(units: journal, incidents: journal, effects: shuffled) { _ in [] }
        executor.perform([.writeIncident(incident), .killUnit("a.service"), .journalIncident(incident),
                          .restartUnit("b.service")])
        #expect(journal.entries == [.kill("a.service"), .restart("b.service"), .write(incident.id, .pending),
                                    .journal(incident.id)])
    }

    @Test("a stop in the cool-down leaves no pending incident")
    func stopInCoolDown() throws {
        let rig = Rig()
        rig.journal.restartResult = .done
        rig.untilRestart()
        guard case .coolingDown = rig.supervisor.actions.state else {
            Issue.record("expected the cool-down, got \(rig.supervisor.actions.state)")
            return
        }
        #expect(rig.journal.disk.values.contains { $0.outcome == .pending })
        rig.executor.perform(rig.supervisor.stop(wallClockMs: 1_800_000_100_000))
        #expect(!rig.journal.disk.values.contains { $0.outcome == .pending })
        #expect(rig.journal.disk.values.contains { $0.outcome == .interrupted })
    }
}
