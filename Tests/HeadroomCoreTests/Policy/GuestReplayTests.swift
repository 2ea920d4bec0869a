import FoundationEssentials
@testable import HeadroomCore
import Testing

/// creep-a's samples from the TCG guest (2 GiB, 256 MiB swap; Tests/Fixtures/guest-samples),
/// each until Headroom restarted billing.service there, fed to the engine as the daemon would
/// (the unit first listed at 5 s). The start allocates ~1.55 GiB, then creeps at 1.4 MiB/s with
/// MemAvailable at its floor.
@Suite("Policy: creep-a's guest samples replayed")
struct GuestReplayTests {
    static let memTotal: UInt64 = 2_014_128 << 10
    static let swapTotal: UInt64 = 262_140 << 10

    struct Sample { var time: Double, available: UInt64, swapFree: UInt64, stallMicroseconds: UInt64, held: UInt64 }

    static func samples(_ name: String) throws -> [Sample] {
        let text = String(decoding: try Fixtures.text("guest-samples/\(name).csv").bytes, as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("t,") }.map { line in
            let field = line.split(separator: ",").map(String.init)
            return Sample(time: Double(field[0])!, available: UInt64(field[1])!, swapFree: UInt64(field[2])!,
                          stallMicroseconds: UInt64(field[3])!, held: UInt64(field[4])!)
        }
    }

    /// The times at which the engine restarted billing.service.
    static func restarts(replaying name: String) throws -> [Double] {
        var engine = PolicyEngine(settings: PolicySettings(), budget: .platformDefault, cooldownSeconds: 15,
                                  isProtected: { _ in false })
        var times: [Double] = []
        for sample in try samples(name) {
            var info = Meminfo()
            info.memTotal = memTotal
            info.memAvailable = sample.available
            info.swapTotal = swapTotal
            info.swapFree = sample.swapFree
            let pressure = Pressure(some: PressureLine(), full: PressureLine(totalMicroseconds: sample.stallMicroseconds))
            let system = SystemSample(meminfo: info, pressure: pressure, vmstat: Vmstat(), swaps: [], swappiness: 60,
                                      installed: InstalledMemory(bytes: 2 << 30, source: .memoryBlocks))
            var stat = CgroupMemoryStat()
            stat.anon = sample.held
            let billing = ServiceSample(unit: "billing.service", cgroupPath: "system.slice/billing.service",
                                        current: sample.held, swapCurrent: 0, stat: stat, pressure: nil,
                                        events: CgroupMemoryEvents(), startedAt: 0)
            let services = sample.time < 5 ? [] : [billing]
            for decision in engine.observe(time: sample.time, system: system, services: services, startedAt: { _ in 0 }) {
                if case .act(.restart(let unit, _), _, _) = decision, unit == "billing.service" { times.append(sample.time) }
            }
        }
        return times
    }

    @Test("a start that ended at 5.5 s, a 37 MiB step after it, RAM at its floor: not restarted in its start")
    func notCutAtTheFloor() throws {
        // CI's run restarted it at 7.3 s (its 2 s rate still held the start's end and the step).
        #expect(try Self.restarts(replaying: "creep-a-ci-idle").isEmpty)
    }

    @Test("a start slowed by a busy host (1.55 GiB in 9 s) is still cut once near RAM's end: known, open")
    func cutWhenSlow() throws {
        // It grows for longer than burst_seconds and ends ~1 s of its rate from RAM's end: the
        // forecast cannot tell it from a leak (docs/OPERATIONS.md, "Warm-ups").
        let restarts = try Self.restarts(replaying: "creep-a-busy")
        withKnownIssue("a start longer than burst_seconds that ends near RAM's end is cut as a leak") {
            #expect(restarts.isEmpty)
        }
    }

    @Test("a start that ended at 4.5 s: its creep is restarted once it is 30 s old, as in the guest")
    func creepFound() throws {
        let restarts = try Self.restarts(replaying: "creep-a-passed")
        #expect(restarts.count == 1 && (30...31).contains(restarts[0]), "\(restarts)")
    }
}
