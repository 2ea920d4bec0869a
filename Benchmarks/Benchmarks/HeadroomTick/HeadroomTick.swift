import Benchmark
import HeadroomCore
import HeadroomLinux

/// One full sample + decision tick over fixture trees of 10, 100 and 1,000 unit cgroups.
/// Targets (issue 6): 0 mallocs per steady-state tick after warm-up; 1,000 services in under
/// 20 ms; cost linear in the number of services.
nonisolated(unsafe) var rigs: [String: TickRig] = [:]

func rig(_ services: Int, remembering: Bool = false) -> TickRig {
    let key = "\(services)\(remembering ? "-remembered" : "")"
    if let existing = rigs[key] { return existing }
    do {
        let created = try TickRig(services: services, remembering: remembering)
        rigs[key] = created
        return created
    } catch {
        fatalError("cannot build the fixture tree for \(services) services: \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .syscalls],
        timeUnits: .microseconds,
        warmupIterations: 20,
        maxDuration: .seconds(3),
        maxIterations: 2000,
        // mallocCountTotal must stay at 0: no tolerance (the static threshold file says 0).
        thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])]
    )
    for services in [10, 100, 1000] {
        // Under pressure: every file of every unit.
        Benchmark("full tick \(services) services") { benchmark in
            let rig = rig(services)
            for _ in benchmark.scaledIterations {
                blackHole(rig.tick(.full))
            }
        }
        // While calm: memory.current every tick, memory.stat every 5th.
        Benchmark("calm tick \(services) services") { benchmark in
            let rig = rig(services)
            for _ in benchmark.scaledIterations {
                blackHole(rig.calmTick())
            }
        }
    }
    // The CI regression check (`./run malloc-check`): the malloc counter alone, so that no
    // other metric's collection runs inside the measured region.
    Benchmark("tick-mallocs-100-services",
              configuration: .init(metrics: [.mallocCountTotal], warmupIterations: 20, maxIterations: 500)) { benchmark in
        tickEveryDetail(rig(100), benchmark)
    }
    // The same after a daemon restart restored a policy memory (restarted and contained units):
    // the state file's change check must not allocate either.
    Benchmark("tick-mallocs-100-services-remembered",
              configuration: .init(metrics: [.mallocCountTotal], warmupIterations: 20, maxIterations: 500)) { benchmark in
        tickEveryDetail(rig(100, remembering: true), benchmark)
    }
    policyBenchmarks()
    // Under pressure, per young unit that grows: its processes' reservation (no malloc target:
    // it lists pids and reads each status, only on such ticks).
    for processes in [1, 10, 50] {
        Benchmark("reservation read \(processes) processes",
                  configuration: .init(metrics: [.wallClock, .mallocCountTotal], warmupIterations: 20,
                                       maxIterations: 2000)) { benchmark in
            let rig = reservationRigs[processes] ?? (try? ReservationRig(processes: processes))
            guard let rig else { fatalError("cannot list \(processes) live processes") }
            reservationRigs[processes] = rig
            for _ in benchmark.scaledIterations {
                blackHole(rig.read())
            }
        }
    }
}

nonisolated(unsafe) var reservationRigs: [Int: ReservationRig] = [:]

/// Each iteration one tick; every detail every 3 ticks, so p90 sees any of them allocate.
func tickEveryDetail(_ rig: TickRig, _ benchmark: Benchmark) {
    let details: [ScanDetail] = [.full, .currentAndStat, .currentOnly]
    var index = 0
    for _ in benchmark.scaledIterations {
        blackHole(rig.tick(details[index % 3]))
        index += 1
    }
}

nonisolated(unsafe) var policyRig: PolicyTickRig?

/// The decision policy's calm tick (issue 12): 0 mallocs, like the sampling tick.
let policyBenchmarks: @Sendable () -> Void = {
    Benchmark("policy-calm-tick-mallocs-100-services",
              configuration: .init(metrics: [.mallocCountTotal, .wallClock], warmupIterations: 20,
                                   maxIterations: 2000)) { benchmark in
        let rig = policyRig ?? PolicyTickRig(services: 100)
        policyRig = rig
        for _ in benchmark.scaledIterations {
            blackHole(rig.tick())
        }
    }
}
