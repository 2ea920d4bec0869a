@testable import HeadroomCore
import Testing

/// The policy pieces one by one: trend, horizon, history, ladder transitions, chooser rules,
/// runaway selection, termination, episodes, the "no action" limiter.
@Suite("Policy pieces")
struct PolicyPieceTests {
    static let mib = PolicyRig.mib
    static let gib = PolicyRig.gib

    static func meminfo(available: UInt64, swapFree: UInt64, swapTotal: UInt64 = gib) -> Meminfo {
        var info = Meminfo()
        info.memTotal = 3 * gib
        info.memAvailable = available
        info.swapTotal = swapTotal
        info.swapFree = swapFree
        return info
    }

    static func reading(room: UInt64, seconds: Double?, rate: Double = 0, stalled: Bool = false,
                        available: UInt64? = nil) -> ExhaustionHorizon.Reading {
        ExhaustionHorizon.Reading(availableBytes: available ?? room / 2, usableSwapBytes: room / 2, roomBytes: room,
                                  fastSlope: -rate, longSlope: nil, ramSeconds: nil, seconds: seconds,
                                  recentSlope: -rate, basis: seconds == nil ? .notShrinking : .fastTrend, stalled: stalled)
    }

    @Test("trend ring: slope of a line, spacing, overwrite when full, no slope on too little data")
    func trendRing() {
        var ring = TrendRing(capacity: 5, spacing: 1)
        ring.add(time: 0, value: 0)
        ring.add(time: 0.5, value: 99) // closer than the spacing: ignored
        #expect(ring.slope(since: -1, minimumSpan: 0) == nil)
        for t in 1...9 { ring.add(time: Double(t), value: Double(t) * 3) }
        #expect(ring.count == 5)
        #expect(ring.oldestTime == 5)
        #expect(abs((ring.slope(since: 0, minimumSpan: 2) ?? 0) - 3) < 1e-9)
        #expect(ring.slope(since: 0, minimumSpan: 10) == nil)
        #expect(ring.maximum(since: 7) == 27)
    }

    @Test("horizon counts usable swap: a fall of MemAvailable with swap to spare is far off; RAM beyond swap speed is near")
    func horizonCountsSwap() {
        var horizon = ExhaustionHorizon(settings: PolicySettings.Horizon())
        var last: ExhaustionHorizon.Reading?
        // 20 MiB/s off 1 GiB of RAM with 1 GiB of swap free: room ~1.9 GiB -> ~97 s, not RAM's 51 s.
        for step in 0...10 {
            let t = Double(step) * 0.5
            last = horizon.observe(time: t, meminfo: Self.meminfo(available: Self.gib - UInt64(t * 20) * Self.mib,
                                                                  swapFree: Self.gib),
                                   pressure: Pressure())
        }
        let slow = try! #require(last)
        #expect(slow.ramSeconds == nil)
        #expect((85...100).contains(slow.seconds ?? 0))
        #expect(slow.basis == .fastTrend)
        // 128 MiB/s: faster than swap takes it, so RAM's horizon (1 GiB / 96 MiB/s) is the answer.
        horizon.reset()
        for step in 0...10 {
            let t = Double(step) * 0.5
            last = horizon.observe(time: t, meminfo: Self.meminfo(available: 1536 * Self.mib - UInt64(t * 128) * Self.mib,
                                                                  swapFree: Self.gib),
                                   pressure: Pressure())
        }
        let fast = try! #require(last)
        #expect(fast.basis == .ramBeyondSwapRate)
        // Swap took nothing meanwhile (SwapFree flat): whether RAM runs out now gets no credit.
        #expect((fast.ramSecondsNow ?? 99) < (fast.ramSeconds ?? 0))
        #expect((6...9).contains(fast.ramSecondsNow ?? 0))
        // RAM below half the reserve and still falling steadily beyond what swap takes (even a
        // 1.4 MiB/s creep, RAM "gone" in ~30 s): a hard limit, the stall comes at the floor.
        var low = Self.reading(room: Self.gib, seconds: nil, available: 40 * Self.mib)
        low.steadyRamLossBytesPerSecond = 1.4 * Double(Self.mib)
        #expect(WarmUpRule.absorbLimit(low, memTotal: 2 * Self.gib, settings: PolicySettings().warmUp) == .ramExhausted)
        low.availableBytes = 100 * Self.mib
        #expect(WarmUpRule.absorbLimit(low, memTotal: 2 * Self.gib, settings: PolicySettings().warmUp) == nil)
        // At the floor but swap keeps up, or only the kernel's reclaim moving it: the room decides.
        low.availableBytes = 40 * Self.mib
        low.steadyRamLossBytesPerSecond = 0
        #expect(WarmUpRule.absorbLimit(low, memTotal: 2 * Self.gib, settings: PolicySettings().warmUp) == .ramAtFloor)
        #expect((9...12).contains(fast.seconds ?? 0))
        // No swap: nothing takes any of the growth off RAM; 20 MiB/s off 1 GiB is RAM's 51 s.
        horizon.reset()
        for step in 0...10 {
            let t = Double(step) * 0.5
            last = horizon.observe(time: t, meminfo: Self.meminfo(available: Self.gib - UInt64(t * 20) * Self.mib,
                                                                  swapFree: 0, swapTotal: 0),
                                   pressure: Pressure())
        }
        let noSwap = try! #require(last)
        #expect((45...55).contains(noSwap.ramSeconds ?? 0))
        // Stall: horizon 0 whatever the trend, while stall time accrues.
        func full(_ avg10: Double, total: UInt64) -> Pressure {
            Pressure(some: PressureLine(avg10: 30), full: PressureLine(avg10: avg10, avg60: 0, avg300: 0,
                                                                       totalMicroseconds: total))
        }
        let short = Self.meminfo(available: 400 * Self.mib, swapFree: Self.gib)
        let stalled = horizon.observe(time: 6, meminfo: short, pressure: full(20, total: 2_000_000))
        #expect(stalled.seconds == 0 && stalled.basis == .stall)
        #expect(horizon.observe(time: 6.5, meminfo: short, pressure: full(22, total: 2_300_000)).stalled)
        // The stall ended (the total stopped), avg10 still lags high: not a stall any more.
        #expect(!horizon.observe(time: 7, meminfo: short, pressure: full(21, total: 2_300_000)).stalled)
    }

    @Test("at RAM's floor a steady fall is loss; the kernel's reclaim moving MemAvailable by a few MiB is not")
    func steadyLossAtTheFloor() {
        func run(_ available: (Double) -> Double, swapFree: (Double) -> Double = { _ in Double(PolicyPieceTests.gib) })
            -> ExhaustionHorizon.Reading {
            var horizon = ExhaustionHorizon(settings: PolicySettings.Horizon())
            var reading: ExhaustionHorizon.Reading?
            for step in 0...80 {
                let t = Double(step) * 0.5
                reading = horizon.observe(time: t, meminfo: Self.meminfo(available: UInt64(available(t)),
                                                                         swapFree: UInt64(swapFree(t))),
                                          pressure: Pressure())
            }
            return reading!
        }
        let mib = Double(Self.mib)
        // A 1.4 MiB/s creep from 90 MiB: steady over 5 s and 30 s.
        let creep = run { 90 * mib - 1.4 * mib * $0 }
        #expect((1.2 * mib...1.6 * mib).contains(creep.steadyRamLossBytesPerSecond))
        #expect(WarmUpRule.absorbLimit(creep, memTotal: 3 * Self.gib, settings: PolicySettings().warmUp) == .ramExhausted)
        // The same creep taken by swap as it comes: no loss.
        let swapped = run({ 90 * mib - 1.4 * mib * $0 }, swapFree: { Double(PolicyPieceTests.gib) - 1.4 * mib * $0 })
        #expect(swapped.steadyRamLossBytesPerSecond < 0.2 * mib)
        // Flat at 40 MiB with the kernel's reclaim taking back 8 MiB every 10 s: the last 5 s
        // may fall, the last 30 s do not.
        let sawtooth = run { 40 * mib + 8 * mib * (1 - $0.truncatingRemainder(dividingBy: 10) / 10) }
        #expect(sawtooth.steadyRamLossBytesPerSecond < Double(WarmUpRule.floorLossBytesPerSecond))
        #expect(WarmUpRule.absorbLimit(sawtooth, memTotal: 3 * Self.gib, settings: PolicySettings().warmUp) == .ramAtFloor)
    }

    @Test("a stall beside plenty of available memory that nothing uses up is not running out; one while RAM steadily falls is")
    func stallNeedsShortRamOrConsumption() {
        func full(_ total: UInt64) -> Pressure {
            Pressure(some: PressureLine(avg10: 30), full: PressureLine(avg10: 13, avg60: 0, avg300: 0,
                                                                       totalMicroseconds: total))
        }
        // A reader cycling a file larger than the cache: 13 % full stall, 1.2 GiB of 3 GiB
        // available and flat (noise of a few hundred KiB).
        var reader = ExhaustionHorizon(settings: PolicySettings.Horizon())
        var reading: ExhaustionHorizon.Reading?
        for step in 0...20 {
            let noise = UInt64(step % 3) * 300 << 10
            reading = reader.observe(time: Double(step) * 0.5,
                                     meminfo: Self.meminfo(available: 1200 * Self.mib + noise, swapFree: Self.gib),
                                     pressure: full(UInt64(step) * 65_000))
        }
        let cache = try! #require(reading)
        #expect(!cache.stalled && cache.seconds == nil)
        #expect(WarmUpRule.absorbLimit(cache, memTotal: 3 * Self.gib, settings: PolicySettings().warmUp) == nil)
        // The same reader for 30 s, where the kernel then swaps 5 MiB of cold pages out in one
        // step (guest, page-cache at swappiness 60): the room shrinks, RAM is not used up.
        var swapping = ExhaustionHorizon(settings: PolicySettings.Horizon())
        for step in 0...60 {
            let swapFree = step < 58 ? Self.gib : Self.gib - 5 * Self.mib
            reading = swapping.observe(time: Double(step) * 0.5,
                                       meminfo: Self.meminfo(available: 1200 * Self.mib + UInt64(step % 3) * 300 << 10,
                                                             swapFree: swapFree),
                                       pressure: full(UInt64(step) * 65_000))
            #expect(reading?.stalled == false, "t=\(Double(step) * 0.5)")
        }
        // The same stall while a leak shrinks the room at 8 MiB/s from as much RAM: running out.
        var leak = ExhaustionHorizon(settings: PolicySettings.Horizon())
        for step in 0...20 {
            let t = Double(step) * 0.5
            reading = leak.observe(time: t, meminfo: Self.meminfo(available: 1200 * Self.mib - UInt64(t * 8) * Self.mib,
                                                                  swapFree: Self.gib),
                                   pressure: full(UInt64(step) * 65_000))
        }
        #expect(reading?.stalled == true && reading?.seconds == 0)
        // Flat, but RAM short (below a quarter of MemTotal): running out.
        var floor = ExhaustionHorizon(settings: PolicySettings.Horizon())
        for step in 0...20 {
            reading = floor.observe(time: Double(step) * 0.5, meminfo: Self.meminfo(available: 300 * Self.mib, swapFree: Self.gib),
                                    pressure: full(UInt64(step) * 65_000))
        }
        #expect(reading?.stalled == true)
    }

    @Test("a warm-up that stops is not extrapolated: the fast trend goes flat")
    func horizonAfterWarmUp() {
        var horizon = ExhaustionHorizon(settings: PolicySettings.Horizon())
        var reading: ExhaustionHorizon.Reading?
        for step in 0...80 {
            let t = Double(step) * 0.5
            let used = min(UInt64(t * 150) * Self.mib, 1200 * Self.mib)
            reading = horizon.observe(time: t, meminfo: Self.meminfo(available: 2 * Self.gib - used, swapFree: Self.gib),
                                      pressure: Pressure())
        }
        let after = try! #require(reading)
        #expect(after.fastSlope.map { abs($0) < 1 } == true)
        #expect((after.seconds ?? .infinity) > PolicySettings().ladder.throttleHorizonSeconds)
    }

    static func sample(_ unit: String, workingSet: UInt64, shmem: UInt64 = 0) -> ServiceSample {
        var stat = CgroupMemoryStat()
        stat.anon = workingSet - shmem
        stat.shmem = shmem
        return ServiceSample(unit: unit, cgroupPath: "system.slice/\(unit)", current: workingSet, swapCurrent: 0,
                             stat: stat, pressure: nil, events: CgroupMemoryEvents())
    }

    @Test("a warm-up that stopped is shielded even while the VM still stalls; one still growing is not")
    func stoppedWarmUpUnderStall() {
        let settings = PolicySettings()
        func history(stopsAt top: UInt64) -> UnitMemoryHistory {
            var history = UnitMemoryHistory(unit: "db.service")
            for step in 0...80 {
                let t = Double(step) * 0.25
                let size = min(top, 100 * Self.mib + UInt64(t * 100) * Self.mib)
                history.observe(time: t, sample: Self.sample("db.service", workingSet: size), startedAt: 0,
                                settings: settings)
            }
            return history
        }
        let stall = Self.reading(room: Self.gib, seconds: 0, stalled: true, available: 10 * Self.mib)
        func candidate(_ history: UnitMemoryHistory) -> UnitCandidate {
            UnitCandidate(history: history, at: 20, horizon: stall, memTotal: 2 * Self.gib, category: .application,
                          expected: nil, isProtected: false, settings: settings)
        }
        let stopped = candidate(history(stopsAt: 1500 * Self.mib))
        #expect(stopped.mayBeWarmingUp && stopped.restartBlocker == .warmingUp)
        let growing = candidate(history(stopsAt: 4 * Self.gib))
        #expect(growing.mayBeWarmingUp && growing.restartBlocker == nil)
        var ladder = UnitLadder(unit: "db.service")
        #expect(ladder.escalate(growing, horizon: stall, absorbLimit: .stall, memTotal: 2 * Self.gib, at: 20,
                                settings: settings) == .act(.restart(unit: "db.service", liftingThrottle: false)))
    }

    @Test("a start into its own mapping is shielded from a forecast while the rest fits above the floor, with the others' rest counted too; a leak that maps as it grows is not")
    func startIntoMapping() {
        let settings = PolicySettings()
        // 2.9 GiB mapped at start, touched at 250 MiB/s for 10 s (past the burst allowance); 500 MiB
        // left in RAM, RAM forecast to run out in 1.5 s; 2900 - 2520 = 380 MiB of it still to come.
        func history(mapsAsItGrows: Bool) -> UnitMemoryHistory {
            var history = UnitMemoryHistory(unit: "db.service")
            for step in 0...40 {
                let t = Double(step) * 0.25
                let size = 20 * Self.mib + UInt64(t * 250) * Self.mib
                var sample = Self.sample("db.service", workingSet: size)
                let mapped = mapsAsItGrows ? size + 4 * Self.mib : 2900 * Self.mib
                sample.reservation = AddressReservation(dataBytes: mapped, untouchedBytes: mapped - size)
                history.observe(time: t, sample: sample, startedAt: 0, settings: settings)
            }
            return history
        }
        var forecast = Self.reading(room: 1000 * Self.mib, seconds: 2, rate: 250 * Double(Self.mib),
                                    available: 500 * Self.mib)
        forecast.ramSeconds = 1.5
        func candidate(_ history: UnitMemoryHistory, others: UInt64 = 0) -> UnitCandidate {
            UnitCandidate(history: history, at: 10, horizon: forecast, memTotal: 3 * Self.gib, category: .application,
                          expected: nil, isProtected: false,
                          allUntouchedReservation: (history.untouchedReservation(at: 10) ?? 0) + others, settings: settings)
        }
        let filling = history(mapsAsItGrows: false)
        #expect(filling.untouchedReservation(at: 10) == 380 * Self.mib)
        #expect(filling.untouchedReservation(at: 14.5) == nil, "a reading stands for 4 s")
        var unread = filling
        unread.observe(time: 10.25, sample: Self.sample("db.service", workingSet: 2620 * Self.mib), startedAt: 0,
                       settings: settings)
        #expect(unread.untouchedReservation(at: 10.25) == 280 * Self.mib, "a tick without a read: less what it grew since")
        let alone = candidate(filling)
        #expect(alone.mayBeWarmingUp && alone.restartBlocker == .warmingUp, "\(alone.warmUp)")
        #expect(alone.warmUp == .cannotAbsorb(.ramRunningOut))
        let crowded = candidate(filling, others: 100 * Self.mib)
        #expect(crowded.restartBlocker == nil, "480 MiB still to come, 500 available less half the reserve")
        let leak = candidate(history(mapsAsItGrows: true))
        #expect(leak.untouchedReservationBytes == nil && leak.restartBlocker == nil)
    }

    @Test("a unit first seen well after its start, already large, has been growing since its start")
    func growingSinceStartWhenSeenLate() {
        let settings = PolicySettings()
        var history = UnitMemoryHistory(unit: "leak.service")
        history.observe(time: 8, sample: Self.sample("leak.service", workingSet: 1024 * Self.mib), startedAt: 0,
                        settings: settings)
        #expect(history.growingSince == 0)
        var small = UnitMemoryHistory(unit: "idle.service")
        small.observe(time: 8, sample: Self.sample("idle.service", workingSet: 2 * Self.mib), startedAt: 0,
                      settings: settings)
        #expect(small.growingSince == nil)
    }

    @Test("a growth that begins while calm (1 s ticks, each a little late) is growing from its first growing sample")
    func growingSinceWhileCalm() {
        let settings = PolicySettings()
        var history = UnitMemoryHistory(unit: "leaky2.service")
        // Up for 17 s at 0.4 MiB, then 128 MiB/s: the guest's calm ticks came ~1.01 s apart,
        // so a 2 s window held two samples.
        var growingSince: [Double?] = []
        for tick in 0...22 {
            let time = Double(tick) * 1.01
            let held = time < 17.5 ? 400 << 10 : UInt64((time - 17.5) * 128) * Self.mib
            history.observe(time: time, sample: Self.sample("leaky2.service", workingSet: held), startedAt: 0,
                            settings: settings)
            growingSince.append(history.growingSince)
        }
        // First growing sample at tick 18 (18.18 s): growing since then, and "now" (its 2 s rate) at once.
        #expect(growingSince[17] == nil)
        #expect(growingSince[18] == 18 * 1.01)
        #expect(history.growingSince == 18 * 1.01)
        let recent = history.growth(at: 22 * 1.01).recent.bytesPerSecond
        #expect(recent > Double(120 * Self.mib) && recent < Double(136 * Self.mib))
        // Samples further apart than a tick (a daemon that was not running) make no recent rate.
        var sparse = UnitMemoryHistory(unit: "sparse.service")
        for time in [0.0, 5, 10, 15] {
            sparse.observe(time: time, sample: Self.sample("sparse.service", workingSet: UInt64(time * 64) * Self.mib + Self.mib),
                           startedAt: -600, settings: settings)
        }
        #expect(sparse.growth(at: 15).recent.bytesPerSecond == 0)
    }

    @Test("history: age from its start, a restart is seen from the start time, regrowth past the level at restart")
    func historyRegrowth() {
        let settings = PolicySettings()
        var history = UnitMemoryHistory(unit: "worker.service")
        for t in 0...20 {
            history.observe(time: Double(t), sample: Self.sample("worker.service", workingSet: UInt64(100 + t * 20) * Self.mib),
                            startedAt: -5, settings: settings)
        }
        #expect(history.age(at: 20) == 25)
        #expect(history.growth(at: 20).short.bytesPerSecond > Double(19 * Self.mib))
        #expect(!history.isRegrowing(settings: settings.candidates))
        for t in 21...40 {
            history.observe(time: Double(t), sample: Self.sample("worker.service", workingSet: UInt64(100 + (t - 21) * 20) * Self.mib),
                            startedAt: 21, settings: settings)
        }
        #expect(history.restarts == 1)
        #expect(history.levelAtLastRestart == 500 * Self.mib)
        #expect(history.isRegrowing(settings: settings.candidates))
        #expect(history.age(at: 40) == 19)
    }

    @Test("a slow creep shows on the 10-minute horizon, not in 30 s")
    func slowCreep() {
        var history = UnitMemoryHistory(unit: "crm.service")
        for t in stride(from: 0, through: 900, by: 5) {
            history.observe(time: Double(t), sample: Self.sample("crm.service",
                                                                 workingSet: 1200 * Self.mib + UInt64(Double(t) / 60 * 8) * Self.mib),
                            startedAt: -3600, settings: PolicySettings())
        }
        let growth = history.growth(at: 900)
        #expect(growth.short.bytes < Double(24 * Self.mib))
        #expect(growth.medium.bytes > Double(60 * Self.mib))
    }
}

@Suite("Policy memory across a daemon restart")
struct PolicyRestoreTests {
    @Test("a restored history still knows the level at restart, so regrowth is seen after the daemon restarted")
    func restore() {
        let mib = PolicyRig.mib
        let settings = PolicySettings()
        var history = UnitMemoryHistory(unit: "w.service")
        history.observe(time: 0, sample: PolicyPieceTests.sample("w.service", workingSet: 600 * mib), startedAt: -10,
                        settings: settings)
        history.observe(time: 1, sample: PolicyPieceTests.sample("w.service", workingSet: 80 * mib), startedAt: 1,
                        settings: settings)
        var restored = UnitMemoryHistory(restoring: history.remembered)
        #expect(restored.restarts == 1 && restored.levelAtLastRestart == 600 * mib)
        restored.observe(time: 50, sample: PolicyPieceTests.sample("w.service", workingSet: 560 * mib), startedAt: 1,
                         settings: settings)
        #expect(restored.restarts == 1)
        #expect(restored.isRegrowing(settings: settings.candidates))
    }
}
