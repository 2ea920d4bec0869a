/// Reading the config file: JSON in, a validated `HeadroomConfig` out.
///
/// Every key is optional and overrides the default; arrays (`units`) replace the
/// default list as a whole. Unknown keys, wrong types and values out of range are
/// refused with the JSON path of the key.
extension HeadroomConfig {
    public static let maximumSizeBytes: UInt64 = 1 << 44 // 16 TiB: far above any VM the platform sells
    /// A config is a few KiB; a larger file is a mistake (a log or a binary given by accident).
    public static let maximumFileBytes = 1 << 20

    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - file: the file's path, named in errors.
    /// - Throws: `ConfigError` naming the file, the key path and what is expected.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(ConfigError) -> HeadroomConfig {
        guard bytes.count <= maximumFileBytes else {
            throw ConfigError(file: file, path: "", message: "the file has \(bytes.count) bytes; a config may have at most "
                + "\(maximumFileBytes) (1 MiB)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw ConfigError(file: file, path: error.path, message: error.message)
        }
        do {
            return try HeadroomConfig(json: document, at: .root)
        } catch {
            var located = error
            located.file = file
            throw located
        }
    }

    init(json: JSONValue, at path: ConfigPath) throws(ConfigError) {
        self.init()
        let fields = try json.object(at: path, allowed: ["budget", "supervisor", "swap", "policy",
                                                                    "incidents", "tickets", "metrics"])
        if let budget = fields["budget"] {
            self.budget = try BudgetConfig(json: budget, at: path.key("budget"), defaults: self.budget)
        }
        if let supervisor = fields["supervisor"] {
            try self.supervisor.apply(json: supervisor, at: path.key("supervisor"))
        }
        if let swap = fields["swap"] {
            try self.supervisor.applySwap(json: swap, at: path.key("swap"))
        }
        if let policy = fields["policy"] {
            try self.supervisor.policy.apply(json: policy, at: path.key("policy"))
        }
        if let tickets = fields["tickets"] {
            try self.tickets.apply(json: tickets, at: path.key("tickets"))
        }
        if let metrics = fields["metrics"] {
            try self.metrics.apply(json: metrics, at: path.key("metrics"))
        }
        if let incidents = fields["incidents"] {
            let incidentsPath = path.key("incidents")
            let values = try incidents.object(at: incidentsPath, allowed: ["keep_count", "keep_days"])
            if let count = values["keep_count"] {
                self.incidents.keepCount = Int(try count.number(at: incidentsPath.key("keep_count"), in: 1...100_000,
                                                                meaning: "a whole number of incident files", whole: true))
            }
            if let days = values["keep_days"] {
                self.incidents.keepDays = Int(try days.number(at: incidentsPath.key("keep_days"), in: 1...3650,
                                                              meaning: "a whole number of days", whole: true))
            }
        }
    }
}

extension BudgetConfig {
    init(json: JSONValue, at path: ConfigPath, defaults: BudgetConfig) throws(ConfigError) {
        self = defaults
        let fields = try json.object(at: path, allowed: ["categories", "warn_after_minutes", "record_interval_seconds"])
        if let seconds = fields["record_interval_seconds"] {
            recordIntervalSeconds = try seconds.number(at: path.key("record_interval_seconds"), in: 1...3600,
                                                       meaning: "a number of seconds")
        }
        if let minutes = fields["warn_after_minutes"] {
            warnAfterMinutes = try minutes.number(at: path.key("warn_after_minutes"), in: 0...10_080,
                                                  meaning: "a number of minutes")
        }
        guard let categoriesValue = fields["categories"] else { return }
        let categoriesPath = path.key("categories")
        let categories = try categoriesValue.object(at: categoriesPath, allowed: BudgetCategory.allCases.map(\.rawValue))
        if let kernel = categories["kernel"] { try applyKernel(kernel, at: categoriesPath.key("kernel")) }
        if let management = categories["management"] {
            self.management = try UnitCategoryConfig(json: management, at: categoriesPath.key("management"),
                                                     defaults: self.management)
        }
        if let monitoring = categories["monitoring"] {
            self.monitoring = try UnitCategoryConfig(json: monitoring, at: categoriesPath.key("monitoring"),
                                                     defaults: self.monitoring)
        }
        if let userland = categories["userland"] {
            self.userland = try UnitCategoryConfig(json: userland, at: categoriesPath.key("userland"),
                                                   defaults: self.userland)
        }
        if let cache = categories["cache"] { try applyCache(cache, at: categoriesPath.key("cache")) }
        if let application = categories["application"] {
            let applicationPath = categoriesPath.key("application")
            _ = try application.object(at: applicationPath, allowed: ["units"],
                                       hint: "applications get what the model leaves, so there is no reserve")
            self.application = try UnitCategoryConfig(json: application, at: applicationPath, defaults: self.application)
        }
        try rejectPatternsUsedTwice(at: categoriesPath)
    }

    private mutating func applyKernel(_ kernel: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try kernel.object(at: path, allowed: ["minimum", "ram_percent"])
        if let minimum = fields["minimum"] {
            kernelMinimumBytes = try minimum.size(at: path.key("minimum"))
        }
        if let percent = fields["ram_percent"] {
            kernelRamPercent = try percent.number(at: path.key("ram_percent"), in: 0...50,
                                                  meaning: "a percentage of installed RAM")
        }
    }

    private mutating func applyCache(_ cache: JSONValue, at path: ConfigPath) throws(ConfigError) {
        let fields = try cache.object(at: path, allowed: ["target", "shares_management_reserve"])
        if let target = fields["target"] {
            cacheTargetBytes = try target.size(at: path.key("target"))
        }
        if let shares = fields["shares_management_reserve"] {
            guard case .bool(let value) = shares else {
                throw path.key("shares_management_reserve").error("expected true or false, found \(shares.kindName)")
            }
            cacheSharesManagementReserve = value
        }
    }

    /// A pattern in two places would make the category of its units depend on the matching order.
    private func rejectPatternsUsedTwice(at path: ConfigPath) throws(ConfigError) {
        var firstUse: [String: String] = [:]
        for category in BudgetCategory.unitCategories {
            guard let config = units(of: category) else { continue }
            for (index, rule) in config.units.enumerated() {
                let place = path.key(category.rawValue).key("units").index(index).key("match")
                if let earlier = firstUse[rule.pattern.text] {
                    throw place.error("the pattern '\(rule.pattern.text)' is already used at \(earlier); "
                        + "a unit belongs to one category, so use each pattern once")
                }
                firstUse[rule.pattern.text] = place.description
            }
        }
    }
}

extension UnitCategoryConfig {
    init(json: JSONValue, at path: ConfigPath, defaults: UnitCategoryConfig) throws(ConfigError) {
        self = defaults
        let fields = try json.object(at: path, allowed: ["reserve", "units"])
        if let reserve = fields["reserve"] {
            reserveBytes = reserve == .null ? nil : try reserve.size(at: path.key("reserve"))
        }
        if let unitsValue = fields["units"] {
            let unitsPath = path.key("units")
            guard case .array(let elements) = unitsValue else {
                throw unitsPath.error("expected an array of {\"match\": PATTERN, \"expected\": SIZE}, found \(unitsValue.kindName)")
            }
            var rules: [UnitRule] = []
            for (index, element) in elements.enumerated() {
                let rulePath = unitsPath.index(index)
                let ruleFields = try element.object(at: rulePath, allowed: ["match", "expected"])
                guard let matchValue = ruleFields["match"] else {
                    throw rulePath.error("missing \"match\": a unit name or glob such as \"telegraf\" or \"filebeat*\"")
                }
                let matchPath = rulePath.key("match")
                guard case .string(let text) = matchValue else {
                    throw matchPath.error("expected a unit name or glob as a string, found \(matchValue.kindName)")
                }
                guard let pattern = UnitPattern(text) else {
                    throw matchPath.error(UnitPattern.validationError(text) ?? "invalid pattern")
                }
                let expected = try ruleFields["expected"].map { value throws(ConfigError) in
                    try value.size(at: rulePath.key("expected"))
                }
                rules.append(UnitRule(pattern: pattern, expectedBytes: expected))
            }
            units = rules
        }
    }
}

extension JSONValue {
    func object(at path: ConfigPath, allowed: [String], hint: String? = nil) throws(ConfigError) -> [String: JSONValue] {
        guard case .object(let fields) = self else {
            throw path.error("expected an object with the keys \(allowed.joined(separator: ", ")), found \(kindName)")
        }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            var message = "unknown key; expected one of: \(allowed.joined(separator: ", "))"
            if let hint { message += " (\(hint))" }
            throw path.key(key).error(message)
        }
        return fields
    }

    func size(at path: ConfigPath) throws(ConfigError) -> UInt64 {
        let bytes: UInt64
        switch self {
        case .integer(let value):
            guard value >= 0 else { throw path.error("expected a size of 0 or more bytes, found \(value)") }
            bytes = UInt64(value)
        case .string(let text):
            switch ByteSize.parse(text) {
            case .success(let value): bytes = value
            case .failure(let error):
                throw path.error("expected a size such as 256MiB or 1.1GiB: \(error.message)")
            }
        default:
            throw path.error("expected a size: a number of bytes or a string such as \"256MiB\", found \(kindName)")
        }
        guard bytes <= HeadroomConfig.maximumSizeBytes else {
            throw path.error("expected a size of at most 16TiB, found \(ByteSize.format(bytes))")
        }
        return bytes
    }

    func number(at path: ConfigPath, in range: ClosedRange<Double>, meaning: String,
                whole: Bool = false) throws(ConfigError) -> Double {
        let value: Double
        switch self {
        case .integer(let integer): value = Double(integer)
        case .number(let number) where !whole: value = number
        case .number(let number): throw path.error("expected \(meaning), found \(number.compact)")
        default: throw path.error("expected \(meaning) as a number, found \(kindName)")
        }
        guard range.contains(value) else {
            throw path.error("expected \(meaning) from \(range.lowerBound.compact) to \(range.upperBound.compact), found \(value.compact)")
        }
        return value
    }
}

extension Double {
    /// 2 rather than 2.0, for messages and the effective config.
    var compact: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
