@testable import HeadroomCore
import Testing

/// The supervisor's machines reached directly, without a process: the action machine's
/// states and its stop, the level machine's scan plan, the per-unit memory's bounds, and
/// kernel numbers at their extremes.
@Suite("Decision machines")
struct DecisionMachineTests {
    static let mib = SimulatedVM.mib

    static func leakingVM() -> SimulatedVM {
        SimulatedVM(services: [
            SimulatedVM.Service(unit: "bystander.service", workingSet: Growth.steady(200 * mib)),
            SimulatedVM.Service(unit: "leak.service", workingSet: Growth.leak(from: 50 * mib, perSecond: 128 * mib),
                                afterRestart: Growth.steady(50 * mib)),
        ])
    }

    /// Observes until the supervisor issues a restart. - Returns: the time of the restart.
    static func untilRestart(_ supervisor: inout Supervisor, _ vm: SimulatedVM) throws -> Double {
        var time = 0.0
        while time < 20 {
            if supervisor.observe(vm.observation(at: time)).contains(.restartUnit("leak.service")) { return time }
            time += 0.25
        }
        throw DecisionTestFailure("no restart within 20 s")
    }

    @Test("the open incident lives in the action machine's states: acting, then cooling down, then idle")
    func incidentFollowsStates() throws {
        var vm = Self.leakingVM()
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let time = try Self.untilRestart(&supervisor, vm)
        guard case .acting(let incident, let remedy) = supervisor.actions.state else {
            Issue.record("expected acting, got \(supervisor.actions.state)")
            return
        }
        #expect(remedy.kind == .restart && remedy.unit == "leak.service" && incident.outcome == .pending)
        vm.services[1].restart(at: time + 0.5)
        _ = supervisor.jobFinished(unit: "leak.service", result: .done, time: time + 0.5, wallClockMs: 1)
        guard case .coolingDown(let cooling, _) = supervisor.actions.state else {
            Issue.record("expected coolingDown, got \(supervisor.actions.state)")
            return
        }
        #expect(cooling.actions.first?.result == "done")
        let after = time + 0.5 + SupervisorSettings().cooldownSeconds
        _ = supervisor.observe(vm.observation(at: after))
        #expect(supervisor.actions.state == .idle)
        #expect(supervisor.openIncident == nil)
    }

    @Test("a stop while acting or cooling down writes the incident as interrupted, never pending")
    func stopFinishesTheIncident() throws {
        for coolingDown in [false, true] {
            var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
            let time = try Self.untilRestart(&supervisor, Self.leakingVM())
            if coolingDown { _ = supervisor.jobFinished(unit: "leak.service", result: .done, time: time + 1, wallClockMs: 2) }
            let actions = supervisor.stop(wallClockMs: 3)
            let written = actions.compactMap { if case .writeIncident(let i) = $0 { i } else { nil } }
            #expect(written.count == 1)
            #expect(written.last?.outcome == .interrupted)
            #expect(actions.contains { if case .journalIncident = $0 { true } else { false } })
            #expect(supervisor.actions.state == .idle)
            #expect(supervisor.stop(wallClockMs: 4).isEmpty)
        }
    }

    @Test("a job result with no remedy open changes nothing")
    func strayJobResult() {
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let actions = supervisor.jobFinished(unit: "x.service", result: .failed(systemdResult: "timeout"), time: 1,
                                             wallClockMs: 1)
        #expect(actions.count == 1)
        #expect(supervisor.actions.state == .idle)
    }

    @Test("typed job results keep systemd's words in the incident")
    func jobResultText() {
        #expect(JobResult(systemd: "done") == .done)
        #expect(JobResult(systemd: "timeout").recordText == "timeout")
        #expect(JobResult.notIssued("not connected to systemd").recordText == "error: not connected to systemd")
    }

    @Test("scan plan: relist every 10 s while calm, full reads under pressure and after a kernel OOM kill")
    func scanPlan() {
        var levels = LevelMachine(settings: SupervisorSettings())
        #expect(levels.plan(now: 0, kernelOomKillsChanged: false) == ScanPlan(relist: true, detail: .full))
        #expect(levels.plan(now: 1, kernelOomKillsChanged: false) == ScanPlan(relist: false, detail: .currentOnly))
        #expect(levels.plan(now: 2, kernelOomKillsChanged: true) == ScanPlan(relist: false, detail: .full))
        levels.scanned(vanished: true)
        #expect(levels.plan(now: 3, kernelOomKillsChanged: false) == ScanPlan(relist: true, detail: .full))
        levels.scanned(vanished: false)
        #expect(levels.plan(now: 4, kernelOomKillsChanged: false).relist == false)
        #expect(levels.plan(now: 13, kernelOomKillsChanged: false).relist == true)
    }

    @Test("100,000 transient units leave the per-unit state bounded")
    func transientUnitsArePruned() {
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let perTick = 100
        for tick in 0..<1000 {
            var vm = SimulatedVM(services: [])
            vm.services = (0..<perTick).map { index in
                var service = SimulatedVM.Service(unit: "run-u\(tick * perTick + index).service",
                                                  workingSet: Growth.steady(10 * Self.mib))
                service.oomKills = UInt64(index % 2)
                return service
            }
            _ = supervisor.observe(vm.observation(at: Double(tick)))
        }
        #expect(supervisor.history.unitCount <= 3 * perTick + 16)
        #expect(supervisor.history.growth.count <= 3 * perTick + 16)
        #expect(supervisor.history.oomKills.count <= 3 * perTick + 16)
    }

    @Test("a unit whose cgroup was recreated: its counter back at a lower value still counts as kills")
    func recreatedCgroupOomKills() {
        var history = UnitHistory()
        func sample(_ kills: UInt64) -> [ServiceSample] {
            var events = CgroupMemoryEvents()
            events.oomKill = kills
            return [ServiceSample(unit: "db.service", cgroupPath: "system.slice/db.service", current: 1, swapCurrent: 0,
                                  stat: CgroupMemoryStat(), pressure: nil, events: events)]
        }
        #expect(history.unitsKilledByKernel(sample(5)).isEmpty)  // history at start-up
        #expect(history.unitsKilledByKernel(sample(5)).isEmpty)
        #expect(history.unitsKilledByKernel(sample(1)) == ["db.service"])  // recreated, killed once
        #expect(history.unitsKilledByKernel(sample(1)).isEmpty)
        #expect(history.unitsKilledByKernel(sample(0)).isEmpty)  // recreated, no kill yet
        #expect(history.unitsKilledByKernel(sample(2)) == ["db.service"])
    }

    @Test("kernel numbers at UInt64.max do not trap the supervisor")
    func extremeKernelNumbers() throws {
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let vm = Self.leakingVM()
        for step in 0..<12 {
            var observation = vm.observation(at: Double(step) * 0.25)
            observation.system.vmstat.oomKill = step < 6 ? 0 : .max
            _ = supervisor.observe(observation)
        }
        // A working set that jumps from 0 to the largest counter (system figures stay calm):
        // slope x window is far past UInt64.
        var ranking = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let calm = SimulatedVM(services: [])
        func observation(_ time: Double) -> Observation {
            var o = calm.observation(at: time)
            o.services = [ServiceSample(unit: "huge.service", cgroupPath: "system.slice/huge.service",
                                        current: time < 1 ? 0 : .max, swapCurrent: 0, stat: CgroupMemoryStat(),
                                        pressure: nil, events: CgroupMemoryEvents())]
            return o
        }
        for step in 0..<8 { _ = ranking.observe(observation(Double(step) * 0.25)) }
        #expect(ranking.level == .calm)
        let huge = try #require(ranking.rank(observation(2)).first)
        #expect(huge.growthBytes == .max)
        #expect(UInt64(saturating: 1e30) == .max)
        #expect(UInt64(saturating: -.infinity) == 0)
        #expect(UInt64(saturating: .nan) == 0)
        #expect(Int64(saturatingDifference: 0, .max) == .min)
        #expect(Int64(saturatingDifference: .max, 0) == .max)
        #expect(UInt64.max.saturatingAdd(1) == .max)
    }
}

struct DecisionTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
