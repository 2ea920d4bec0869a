/// The `policy` section of the config file (docs/OPERATIONS.md "The ladder").
///
/// Same rules as the other sections: every key optional, unknown keys and values out of
/// range refused with their JSON path.
extension PolicySettings {
    typealias Seconds<Section> = (String, WritableKeyPath<Section, Double>, ClosedRange<Double>)

    mutating func apply(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try json.object(at: path, allowed: ["horizon", "warm_up", "candidates", "ladder", "runaway",
                                                         "no_action_repeat_seconds", "episode_quiet_seconds"])
        try Self.numbers(fields, at: path, into: &self, [
            ("no_action_repeat_seconds", \.noActionRepeatSeconds, 0...86_400),
            ("episode_quiet_seconds", \.episodeQuietSeconds, 0...3600)], sizes: [])
        if let value = fields["horizon"] {
            let sub = path.key("horizon")
            let keys = try value.object(at: sub, allowed: ["fast_window_seconds", "long_window_seconds",
                                                           "swap_reserve_percent", "swap_absorb_per_second",
                                                           "stall_full_avg10", "stall_available_percent"])
            try Self.numbers(keys, at: sub, into: &horizon, [
                ("fast_window_seconds", \.fastWindowSeconds, 1...60),
                ("long_window_seconds", \.longWindowSeconds, 10...3600),
                ("swap_reserve_percent", \.swapReservePercent, 0...100),
                ("stall_full_avg10", \.stallFullAvg10, 0...100),
                ("stall_available_percent", \.stallAvailablePercent, 0...100)],
                sizes: [("swap_absorb_per_second", \.swapAbsorbBytesPerSecond)])
            if horizon.longWindowSeconds < horizon.fastWindowSeconds {
                throw sub.key("long_window_seconds").error("expected at least fast_window_seconds "
                    + "(\(horizon.fastWindowSeconds.compact)): the long trend is the robust one")
            }
        }
        if let value = fields["warm_up"] {
            let sub = path.key("warm_up")
            let keys = try value.object(at: sub, allowed: ["young_seconds", "absorb_lookahead_seconds",
                                                           "absorb_reserve_minimum", "absorb_reserve_percent",
                                                           "ram_critical_seconds", "burst_seconds"])
            try Self.numbers(keys, at: sub, into: &warmUp, [
                ("young_seconds", \.youngSeconds, 0...86_400),
                ("absorb_lookahead_seconds", \.absorbLookaheadSeconds, 0...3600),
                ("absorb_reserve_percent", \.absorbReservePercent, 0...50),
                ("ram_critical_seconds", \.ramCriticalSeconds, 0...600),
                ("burst_seconds", \.burstSeconds, 0...600)],
                sizes: [("absorb_reserve_minimum", \.absorbReserveMinimumBytes)])
        }
        if let value = fields["candidates"] {
            let sub = path.key("candidates")
            let keys = try value.object(at: sub, allowed: ["growth_minimum", "minimum_working_set",
                                                           "shared_memory_dominant_percent", "regrow_percent"])
            try Self.numbers(keys, at: sub, into: &candidates, [
                ("shared_memory_dominant_percent", \.sharedMemoryDominantPercent, 1...100),
                ("regrow_percent", \.regrowPercent, 1...200)],
                sizes: [("growth_minimum", \.growthMinimumBytes), ("minimum_working_set", \.minimumWorkingSetBytes)])
        }
        if let value = fields["ladder"] { try applyLadder(value, at: path.key("ladder")) }
        if let value = fields["runaway"] { try applyRunaway(value, at: path.key("runaway")) }
    }

    private mutating func applyLadder(_ value: JSONValue, at sub: ConfigPath) throws(ConfigError) {
        let keys = try value.object(at: sub, allowed: [
            "throttle_horizon_seconds", "restart_horizon_seconds", "lift_horizon_seconds", "lift_after_seconds",
            "throttle_slack_percent", "restart_deadline_seconds", "contain_after_restarts", "contain_growth_factor",
            "contain_room_share_percent", "contain_high_percent", "contain_swap_max", "settle_seconds"])
        try Self.numbers(keys, at: sub, into: &ladder, [
            ("throttle_horizon_seconds", \.throttleHorizonSeconds, 0...86_400),
            ("restart_horizon_seconds", \.restartHorizonSeconds, 0...3600),
            ("lift_horizon_seconds", \.liftHorizonSeconds, 0...86_400),
            ("lift_after_seconds", \.liftAfterSeconds, 0...86_400),
            ("throttle_slack_percent", \.throttleSlackPercent, 0...100),
            ("restart_deadline_seconds", \.restartDeadlineSeconds, 1...600),
            ("contain_growth_factor", \.containGrowthFactor, 1...100),
            ("contain_room_share_percent", \.containRoomSharePercent, 1...100),
            ("contain_high_percent", \.containHighPercent, 1...100),
            ("settle_seconds", \.settleSeconds, 1...86_400)],
            sizes: [("contain_swap_max", \.containSwapMaxBytes)])
        if let count = keys["contain_after_restarts"] {
            ladder.containAfterRestarts = Int(try count.number(at: sub.key("contain_after_restarts"), in: 1...100,
                                                               meaning: "a whole number of restarts", whole: true))
        }
        if ladder.restartHorizonSeconds > ladder.throttleHorizonSeconds {
            throw sub.key("restart_horizon_seconds").error("expected at most throttle_horizon_seconds "
                + "(\(ladder.throttleHorizonSeconds.compact)): the ladder throttles before it restarts")
        }
        if ladder.liftHorizonSeconds < ladder.throttleHorizonSeconds {
            throw sub.key("lift_horizon_seconds").error("expected at least throttle_horizon_seconds "
                + "(\(ladder.throttleHorizonSeconds.compact)): a throttle lifted below it would be set again at once")
        }
    }

    private mutating func applyRunaway(_ value: JSONValue, at sub: ConfigPath) throws(ConfigError) {
        let keys = try value.object(at: sub, allowed: ["terminate_processes", "minimum", "term_grace_seconds"])
        if let flag = keys["terminate_processes"] {
            guard case .bool(let on) = flag else {
                throw sub.key("terminate_processes").error("expected true or false, found \(flag.kindName)")
            }
            runaway.terminateProcesses = on
        }
        try Self.numbers(keys, at: sub, into: &runaway, [("term_grace_seconds", \.termGraceSeconds, 0...600)],
                         sizes: [("minimum", \.minimumBytes)])
    }

    private static func numbers<Section>(_ fields: [String: JSONValue], at path: ConfigPath, into section: inout Section,
                                         _ seconds: [Seconds<Section>],
                                         sizes: [(String, WritableKeyPath<Section, UInt64>)]) throws(ConfigError) {
        for (key, keyPath, range) in seconds {
            guard let value = fields[key] else { continue }
            let meaning = key.hasSuffix("percent") ? "a percentage" : key.hasSuffix("seconds") ? "seconds" : "a number"
            section[keyPath: keyPath] = try value.number(at: path.key(key), in: range, meaning: meaning)
        }
        for (key, keyPath) in sizes {
            if let value = fields[key] { section[keyPath: keyPath] = try value.size(at: path.key(key)) }
        }
    }

    /// - Parameter json: the `policy` object of the config file.
    /// - Throws: `ConfigError` with the key path below `policy`.
    public static func parse(json: JSONValue) throws(ConfigError) -> PolicySettings {
        var settings = PolicySettings()
        try settings.apply(json: json, at: ConfigPath.root.key("policy"))
        return settings
    }
}

extension PolicySettings {
    /// The effective `policy` section, for `headroom config show`.
    public var jsonValue: JSONValue {
        func number(_ value: Double) -> JSONValue { value.configValue }
        func size(_ value: UInt64) -> JSONValue { ByteSize.configValue(value) }
        return .object([
            "horizon": .object([
                "fast_window_seconds": number(horizon.fastWindowSeconds),
                "long_window_seconds": number(horizon.longWindowSeconds),
                "swap_reserve_percent": number(horizon.swapReservePercent),
                "swap_absorb_per_second": size(horizon.swapAbsorbBytesPerSecond),
                "stall_full_avg10": number(horizon.stallFullAvg10),
                "stall_available_percent": number(horizon.stallAvailablePercent)]),
            "warm_up": .object([
                "young_seconds": number(warmUp.youngSeconds),
                "absorb_lookahead_seconds": number(warmUp.absorbLookaheadSeconds),
                "absorb_reserve_minimum": size(warmUp.absorbReserveMinimumBytes),
                "absorb_reserve_percent": number(warmUp.absorbReservePercent),
                "ram_critical_seconds": number(warmUp.ramCriticalSeconds),
                "burst_seconds": number(warmUp.burstSeconds)]),
            "candidates": .object([
                "growth_minimum": size(candidates.growthMinimumBytes),
                "minimum_working_set": size(candidates.minimumWorkingSetBytes),
                "shared_memory_dominant_percent": number(candidates.sharedMemoryDominantPercent),
                "regrow_percent": number(candidates.regrowPercent)]),
            "ladder": .object([
                "throttle_horizon_seconds": number(ladder.throttleHorizonSeconds),
                "restart_horizon_seconds": number(ladder.restartHorizonSeconds),
                "lift_horizon_seconds": number(ladder.liftHorizonSeconds),
                "lift_after_seconds": number(ladder.liftAfterSeconds),
                "throttle_slack_percent": number(ladder.throttleSlackPercent),
                "restart_deadline_seconds": number(ladder.restartDeadlineSeconds),
                "contain_after_restarts": .integer(Int64(ladder.containAfterRestarts)),
                "contain_growth_factor": number(ladder.containGrowthFactor),
                "contain_room_share_percent": number(ladder.containRoomSharePercent),
                "contain_high_percent": number(ladder.containHighPercent),
                "contain_swap_max": size(ladder.containSwapMaxBytes),
                "settle_seconds": number(ladder.settleSeconds)]),
            "runaway": .object([
                "terminate_processes": .bool(runaway.terminateProcesses), "minimum": size(runaway.minimumBytes),
                "term_grace_seconds": number(runaway.termGraceSeconds)]),
            "no_action_repeat_seconds": number(noActionRepeatSeconds),
            "episode_quiet_seconds": number(episodeQuietSeconds),
        ])
    }
}
