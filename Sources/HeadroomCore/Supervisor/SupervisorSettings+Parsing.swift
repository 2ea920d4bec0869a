/// The `supervisor` and `swap` sections of the config file.
extension SupervisorSettings {
    mutating func apply(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let seconds: [(String, WritableKeyPath<SupervisorSettings, Double>, ClosedRange<Double>)] = [
            ("tick_seconds", \.tickSeconds, 0.05...60),
            ("fast_tick_seconds", \.fastTickSeconds, 0.05...60),
            ("calm_after_seconds", \.calmAfterSeconds, 0...3600),
            ("forecast_window_seconds", \.forecastWindowSeconds, 1...300),
            ("growth_window_seconds", \.growthWindowSeconds, 1...3600),
            ("restart_deadline_seconds", \.restartDeadlineSeconds, 1...600),
            ("cooldown_seconds", \.cooldownSeconds, 0...3600),
        ]
        let lists = ["protected", "extra_protected", "effective_protected", "prefer", "avoid"]
        let fields = try json.object(at: path, allowed: seconds.map(\.0) + lists
            + ["max_restarts_per_hour", "minimum_culprit", "elevated", "critical"])
        for (key, keyPath, range) in seconds {
            if let value = fields[key] {
                self[keyPath: keyPath] = try value.number(at: path.key(key), in: range, meaning: "seconds")
            }
        }
        if fastTickSeconds > tickSeconds {
            throw path.key("fast_tick_seconds").error("expected at most tick_seconds (\(tickSeconds.compact)): "
                + "the fast tick is used under pressure")
        }
        if let value = fields["max_restarts_per_hour"] {
            maxRestartsPerHour = Int(try value.number(at: path.key("max_restarts_per_hour"), in: 1...100,
                                                      meaning: "a whole number of restarts", whole: true))
        }
        if let value = fields["minimum_culprit"] {
            minimumCulpritBytes = try value.size(at: path.key("minimum_culprit"))
        }
        if let value = fields["elevated"] { try applyElevated(json: value, at: path.key("elevated")) }
        if let value = fields["critical"] { try applyCritical(json: value, at: path.key("critical")) }
        if let value = fields["protected"] { protected = try value.patterns(at: path.key("protected")) }
        if let value = fields["extra_protected"] {
            extraProtected = try value.patterns(at: path.key("extra_protected"))
        }
        if let value = fields["effective_protected"] {
            try checkEffectiveProtected(value, at: path.key("effective_protected"))
        }
        if let value = fields["prefer"] { prefer = try value.patterns(at: path.key("prefer")) }
        if let value = fields["avoid"] { avoid = try value.patterns(at: path.key("avoid")) }
    }

    private mutating func applyElevated(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        try Self.parseLevel(json, at: path, into: &elevated,
                            allowed: ["available_percent", "psi_some_avg10", "forecast_seconds",
                                      "forecast_below_available_percent", "swap_used_percent"],
                            percents: [("available_percent", \.availablePercent), ("psi_some_avg10", \.psiSomeAvg10),
                                       ("forecast_below_available_percent", \.forecastBelowAvailablePercent),
                                       ("swap_used_percent", \.swapUsedPercent)],
                            seconds: [("forecast_seconds", \.forecastSeconds, 0...3600)])
    }

    private mutating func applyCritical(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        try Self.parseLevel(json, at: path, into: &critical,
                            allowed: ["available_percent", "psi_full_avg10", "forecast_seconds",
                                      "forecast_below_available_percent", "swap_used_percent", "dwell_seconds"],
                            percents: [("available_percent", \.availablePercent), ("psi_full_avg10", \.psiFullAvg10),
                                       ("forecast_below_available_percent", \.forecastBelowAvailablePercent),
                                       ("swap_used_percent", \.swapUsedPercent)],
                            seconds: [("forecast_seconds", \.forecastSeconds, 0...3600),
                                      ("dwell_seconds", \.dwellSeconds, 0...600)])
    }

    /// One level's thresholds: the percentages first, then the durations, each in its range.
    /// `allowed` keeps the order the error messages list the keys in.
    private static func parseLevel<Level>(_ json: JSONValue, at path: ConfigPath, into level: inout Level,
                                          allowed: [String], percents: [(String, WritableKeyPath<Level, Double>)],
                                          seconds: [(String, WritableKeyPath<Level, Double>, ClosedRange<Double>)])
        throws(ConfigError) {
        let fields = try json.object(at: path, allowed: allowed)
        for (key, keyPath) in percents {
            try fields.percent(key, at: path, into: &level[keyPath: keyPath])
        }
        for (key, keyPath, range) in seconds {
            if let value = fields[key] {
                level[keyPath: keyPath] = try value.number(at: path.key(key), in: range, meaning: "seconds")
            }
        }
    }

    mutating func applySwap(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try json.object(at: path, allowed: ["calm_swappiness", "pressure_swappiness"])
        if let value = fields["calm_swappiness"] {
            calmSwappiness = Int(try value.number(at: path.key("calm_swappiness"), in: 0...200,
                                                  meaning: "a vm.swappiness value", whole: true))
        }
        if let value = fields["pressure_swappiness"] {
            pressureSwappiness = Int(try value.number(at: path.key("pressure_swappiness"), in: 0...200,
                                                      meaning: "a vm.swappiness value", whole: true))
        }
    }

    var jsonValue: JSONValue {
        func number(_ value: Double) -> JSONValue { value.configValue }
        return .object([
            "tick_seconds": number(tickSeconds), "fast_tick_seconds": number(fastTickSeconds),
            "calm_after_seconds": number(calmAfterSeconds), "forecast_window_seconds": number(forecastWindowSeconds),
            "growth_window_seconds": number(growthWindowSeconds),
            "restart_deadline_seconds": number(restartDeadlineSeconds), "cooldown_seconds": number(cooldownSeconds),
            "max_restarts_per_hour": .integer(Int64(maxRestartsPerHour)),
            "minimum_culprit": ByteSize.configValue(minimumCulpritBytes),
            "elevated": .object([
                "available_percent": number(elevated.availablePercent), "psi_some_avg10": number(elevated.psiSomeAvg10),
                "forecast_seconds": number(elevated.forecastSeconds),
                "forecast_below_available_percent": number(elevated.forecastBelowAvailablePercent),
                "swap_used_percent": number(elevated.swapUsedPercent),
            ]),
            "critical": .object([
                "available_percent": number(critical.availablePercent), "psi_full_avg10": number(critical.psiFullAvg10),
                "forecast_seconds": number(critical.forecastSeconds),
                "forecast_below_available_percent": number(critical.forecastBelowAvailablePercent),
                "swap_used_percent": number(critical.swapUsedPercent), "dwell_seconds": number(critical.dwellSeconds),
            ]),
            "protected": .array(protected.map { .string($0.text) }),
            "extra_protected": .array(extraProtected.map { .string($0.text) }),
            "effective_protected": .array(effectiveProtected.map { .string($0.text) }),
            "prefer": .array(prefer.map { .string($0.text) }),
            "avoid": .array(avoid.map { .string($0.text) }),
        ])
    }

    /// `config show` prints the effective set; it is derived, so a config may repeat it (a
    /// shown config reads back) but not change it.
    private func checkEffectiveProtected(_ value: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let given = try value.patterns(at: path)
        guard given.map(\.text) == effectiveProtected.map(\.text) else {
            throw path.error("this is shown, not set: it is the core set ("
                + Self.coreProtected.map(\.text).joined(separator: ", ")
                + ") plus protected plus extra_protected; change those (or remove this key)")
        }
    }

    var swapJSONValue: JSONValue {
        .object(["calm_swappiness": .integer(Int64(calmSwappiness)),
                 "pressure_swappiness": .integer(Int64(pressureSwappiness))])
    }
}

extension [String: JSONValue] {
    func percent(_ key: String, at path: ConfigPath, into value: inout Double) throws(ConfigError) {
        guard let json = self[key] else { return }
        value = try json.number(at: path.key(key), in: 0...100, meaning: "a percentage")
    }
}

extension JSONValue {
    func patterns(at path: ConfigPath) throws(ConfigError) -> [UnitPattern] {
        guard case .array(let items) = self else {
            throw path.error("expected an array of unit names or globs, found \(kindName)")
        }
        var patterns: [UnitPattern] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw path.index(index).error("expected a unit name or glob as a string, found \(item.kindName)")
            }
            guard let pattern = UnitPattern(text) else {
                throw path.index(index).error(UnitPattern.validationError(text) ?? "invalid pattern")
            }
            patterns.append(pattern)
        }
        return patterns
    }
}
