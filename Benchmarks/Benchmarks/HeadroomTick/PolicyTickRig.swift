import HeadroomCore

/// The policy's calm tick (`PolicyEngine.observe`) over `services` units whose working sets
/// wobble a little, on a VM with plenty of room: the path that runs every tick in production.
final class PolicyTickRig {
    var engine: PolicyEngine
    var system: SystemSample
    var services: [ServiceSample]
    var time = 0.0

    init(services count: Int) {
        engine = PolicyEngine(settings: PolicySettings(), budget: .platformDefault, cooldownSeconds: 15,
                              isProtected: { _ in false })
        var info = Meminfo()
        info.memTotal = 3 << 30
        info.memAvailable = 2 << 30
        info.swapTotal = 1 << 30
        info.swapFree = 1 << 30
        system = SystemSample(meminfo: info, pressure: Pressure(), vmstat: Vmstat(), swaps: [], swappiness: 1,
                              installed: InstalledMemory(bytes: 3 << 30, source: .memoryBlocks))
        services = (0..<count).map { index in
            var stat = CgroupMemoryStat()
            stat.anon = 20 << 20
            return ServiceSample(unit: "bench-\(index).service", cgroupPath: "system.slice/bench-\(index).service",
                                 current: 20 << 20, swapCurrent: 0, stat: stat, pressure: nil,
                                 events: CgroupMemoryEvents())
        }
        // Warm-up: every ring filled once, every unit known.
        for _ in 0..<200 { _ = tick() }
    }

    /// One tick, 1 s later; working sets move by a page either way.
    func tick() -> Int {
        time += 1
        let wobble: UInt64 = UInt64(time.truncatingRemainder(dividingBy: 2)) * 4096
        for index in services.indices { services[index].current = (20 << 20) + wobble }
        system.meminfo.memAvailable = (2 << 30) - wobble
        return engine.observe(time: time, system: system, services: services, startedAt: { _ in 0 }).count
    }
}
