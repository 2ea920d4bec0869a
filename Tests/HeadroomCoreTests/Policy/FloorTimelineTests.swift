@testable import HeadroomCore
import Testing

/// RAM at its floor as the guest shows it: an application that starts large leaves
/// MemAvailable at a few tens of MiB, where the kernel's reclaim keeps it roughly level (a
/// sawtooth) and swap takes nothing until the VM stalls. The engine alone, fed those readings.
@Suite("Policy timelines: RAM at its floor")
struct FloorTimelineTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib

    struct Floor {
        /// Growth after the start's burst, bytes per second (0: a warm-up that stays flat).
        var creep: Double
        /// What swap takes per second (SwapFree's fall).
        var swapOut: Double = 0
        var memTotal: UInt64 = 1966 * mib
    }

    /// The unit allocates 1.6 GiB in its first 4 s, is first listed at 5 s, then grows at
    /// `creep`; MemAvailable saws between 30 and 45 MiB. Returns each decision with its time.
    static func run(_ floor: Floor, until end: Double = 70) -> [(time: Double, decision: PolicyEngine.Decision)] {
        var engine = PolicyEngine(settings: PolicySettings(), budget: .platformDefault, cooldownSeconds: 15,
                                  isProtected: { _ in false })
        var decisions: [(Double, PolicyEngine.Decision)] = []
        var time = 5.0
        while time <= end {
            var info = Meminfo()
            info.memTotal = floor.memTotal
            info.memAvailable = UInt64((45 - 15 * (time.truncatingRemainder(dividingBy: 8) / 8)) * Double(mib))
            info.swapTotal = 256 * mib
            info.swapFree = info.swapTotal - UInt64(floor.swapOut * time)
            let system = SystemSample(meminfo: info, pressure: Pressure(), vmstat: Vmstat(), swaps: [], swappiness: 60,
                                      installed: InstalledMemory(bytes: floor.memTotal + 150 * mib, source: .memoryBlocks))
            let held = 1600 * Double(mib) + floor.creep * (time - 4)
            var stat = CgroupMemoryStat()
            stat.anon = UInt64(held)
            let sample = ServiceSample(unit: "billing.service", cgroupPath: "system.slice/billing.service",
                                       current: UInt64(held), swapCurrent: 0, stat: stat, pressure: nil,
                                       events: CgroupMemoryEvents(), startedAt: 0)
            for decision in engine.observe(time: time, system: system, services: [sample], startedAt: { _ in 0 }) {
                decisions.append((time, decision))
            }
            time += 0.5
        }
        return decisions
    }

    static func restarts(_ decisions: [(time: Double, decision: PolicyEngine.Decision)]) -> [Double] {
        decisions.compactMap { entry in
            if case .act(.restart, _, _) = entry.decision { entry.time } else { nil }
        }
    }

    @Test("a creep at the floor (1.4 and 0.6 MiB/s) is restarted once its last 30 s hold no burst, before 40 s",
          arguments: [1.4, 0.6])
    func creepAtFloor(mibPerSecond: Double) throws {
        let decisions = Self.run(Floor(creep: mibPerSecond * Double(Self.mib)))
        let first = try #require(Self.restarts(decisions).first, "\(decisions)")
        #expect((30...40).contains(first), "restarted at \(first) s")
    }

    @Test("a start that stays flat at the floor is left alone and nothing is filed")
    func warmUpAtFloor() {
        #expect(Self.run(Floor(creep: 0)).isEmpty)
    }

    @Test("a creep at the floor that swap takes as it comes is left to swap")
    func creepSwapped() {
        let creep = 1.4 * Double(Self.mib)
        #expect(Self.restarts(Self.run(Floor(creep: creep, swapOut: creep))).isEmpty)
    }
}
