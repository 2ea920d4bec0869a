/// Everything the supervisor remembers per unit, in one place so that it is pruned in one
/// place: units come and go (transient units, `systemd-run`), and the daemon runs for months.
///
/// Growth histories and OOM-kill counters are dropped for units absent from an observation;
/// restart times are kept for absent units (a restarting unit is briefly gone) but only for
/// the last hour.
struct UnitHistory: Sendable {
    private(set) var growth: [String: Forecast] = [:]
    private(set) var restartTimes: [String: [Double]] = [:]
    private(set) var oomKills: [String: UInt64] = [:]
    private var seeded = false
    private var lastRestartPrune = -Double.infinity

    static let restartMemorySeconds = 3600.0

    var unitCount: Int { max(growth.count, oomKills.count, restartTimes.count) }

    mutating func record(_ o: Observation, growthWindow: Double) {
        for service in o.services {
            // Mutated in place through `values[index]`: the tick must not allocate per unit.
            if let index = growth.index(forKey: service.unit) {
                growth.values[index].add(time: o.time, value: Double(service.workingSet))
            } else {
                var history = Forecast(window: growthWindow)
                history.add(time: o.time, value: Double(service.workingSet))
                growth[service.unit] = history
            }
        }
        // Pruned only once the maps are well over the units present, so that a steady tick
        // neither allocates nor scans twice.
        if growth.count > o.services.count * 2 + 16 || oomKills.count > o.services.count * 2 + 16 {
            prune(present: Set(o.services.map(\.unit)))
        }
        if o.time - lastRestartPrune >= Self.restartMemorySeconds {
            lastRestartPrune = o.time
            forgetRestarts(before: o.time - Self.restartMemorySeconds)
        }
    }

    /// Units whose `memory.events` oom_kill rose since the last observation.
    ///
    /// Keyed by unit name, so a unit whose cgroup was removed and created again shows a
    /// counter that went back (to 0 and up): the lower value is the new baseline, and what
    /// it already counts are kills in the new cgroup. A unit first seen after the first
    /// observation counts its kills too (it was created since); at start-up they are history.
    mutating func unitsKilledByKernel(_ services: [ServiceSample]) -> [String] {
        var killed: [String] = []
        for service in services {
            let count = service.events.oomKill
            if let index = oomKills.index(forKey: service.unit) {
                let previous = oomKills.values[index]
                if count > previous || (count < previous && count > 0) { killed.append(service.unit) }
                oomKills.values[index] = count
            } else {
                if seeded && count > 0 { killed.append(service.unit) }
                oomKills[service.unit] = count
            }
        }
        seeded = true
        return killed
    }

    mutating func noteRestart(_ unit: String, at time: Double) {
        restartTimes[unit, default: []].append(time)
    }

    func restarts(of unit: String, since time: Double) -> Int {
        guard let times = restartTimes[unit] else { return 0 }
        var count = 0
        for restart in times where restart > time { count += 1 }
        return count
    }

    private mutating func prune(present: Set<String>) {
        growth = growth.filter { present.contains($0.key) }
        oomKills = oomKills.filter { present.contains($0.key) }
    }

    private mutating func forgetRestarts(before time: Double) {
        restartTimes = restartTimes.compactMapValues { times in
            let recent = times.filter { $0 > time }
            return recent.isEmpty ? nil : recent
        }
    }
}
