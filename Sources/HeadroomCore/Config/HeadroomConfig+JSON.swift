import FoundationEssentials

/// The effective config as JSON (`headroom config show`), in the same shape the
/// file takes, so its output can be saved and edited as a config file.
extension HeadroomConfig {
    public var jsonValue: JSONValue {
        .object([
            "budget": budget.jsonValue,
            "supervisor": supervisor.jsonValue,
            "swap": supervisor.swapJSONValue,
            "policy": supervisor.policy.jsonValue,
            "incidents": .object(["keep_count": .integer(Int64(incidents.keepCount)),
                                  "keep_days": .integer(Int64(incidents.keepDays))]),
            "tickets": tickets.jsonValue,
            "metrics": metrics.jsonValue,
        ])
    }

    public func renderJSON() -> String { jsonValue.rendered() }
}

extension BudgetConfig {
    var jsonValue: JSONValue {
        .object([
            "warn_after_minutes": warnAfterMinutes == warnAfterMinutes.rounded()
                ? .integer(Int64(warnAfterMinutes)) : .number(warnAfterMinutes),
            "record_interval_seconds": recordIntervalSeconds == recordIntervalSeconds.rounded()
                ? .integer(Int64(recordIntervalSeconds)) : .number(recordIntervalSeconds),
            "categories": .object([
                "kernel": .object([
                    "minimum": ByteSize.configValue(kernelMinimumBytes),
                    "ram_percent": kernelRamPercent == kernelRamPercent.rounded()
                        ? .integer(Int64(kernelRamPercent)) : .number(kernelRamPercent),
                ]),
                "management": management.jsonValue,
                "monitoring": monitoring.jsonValue,
                "userland": userland.jsonValue,
                "cache": .object(["target": ByteSize.configValue(cacheTargetBytes),
                                  "shares_management_reserve": .bool(cacheSharesManagementReserve)]),
                "application": .object(["units": application.unitsJSON]),
            ]),
        ])
    }
}

extension UnitCategoryConfig {
    var jsonValue: JSONValue {
        var fields: [String: JSONValue] = ["units": unitsJSON]
        fields["reserve"] = reserveBytes.map(ByteSize.configValue) ?? .null
        return .object(fields)
    }

    var unitsJSON: JSONValue {
        .array(units.map { rule in
            var ruleFields: [String: JSONValue] = ["match": .string(rule.pattern.text)]
            if let expected = rule.expectedBytes { ruleFields["expected"] = ByteSize.configValue(expected) }
            return .object(ruleFields)
        })
    }
}

extension ByteSize {
    /// "256MiB" when that reads back to exactly these bytes, otherwise the byte count.
    static func configValue(_ bytes: UInt64) -> JSONValue {
        for (suffix, factor) in [("TiB", UInt64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor {
            for decimals in 0...2 {
                var scale = 1.0
                for _ in 0..<decimals { scale *= 10 }
                let value = (Double(bytes) / Double(factor) * scale).rounded() / scale
                let text = (decimals == 0 ? String(Int64(value)) : String(value).trimmingTrailingZeros) + suffix
                if case .success(bytes) = parse(text) { return .string(text) }
            }
        }
        return .integer(Int64(bytes))
    }
}
