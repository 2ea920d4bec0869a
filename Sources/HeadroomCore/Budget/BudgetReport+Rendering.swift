extension BudgetReport {
    /// The shape documented in docs/JSON.md.
    public func jsonValue(unavailable: [String]) -> JSONValue {
        .object([
            "installed_bytes": .bytes(installed.bytes),
            "installed_source": .string(installed.source.rawValue),
            "mem_total_bytes": .bytes(memTotalBytes),
            "per_service_available": .bool(perServiceAvailable),
            "categories": .array(categories.map { category in
                .object([
                    "name": .string(category.category.rawValue),
                    "expected_bytes": .bytes(category.expectedBytes),
                    "counted_bytes": .bytes(category.countedBytes),
                    "actual_bytes": .bytes(category.actualBytes),
                    "peak_bytes": .bytes(category.peakBytes),
                    "over_bytes": .bytes(category.overBytes),
                    "units": .array(category.units.map(\.jsonValue)),
                ])
            }),
            "application": .object([
                "budget_bytes": .bytes(application.budgetBytes),
                "actual_bytes": .bytes(application.actualBytes),
                "peak_bytes": .bytes(application.peakBytes),
                "headroom_bytes": .bytes(application.headroomBytes),
                "units": .array(application.units.map(\.jsonValue)),
            ]),
            "unavailable": .array(unavailable.map(JSONValue.string)),
        ])
    }

    public func renderText(unavailable: [String]) -> String {
        let unknown = "?"
        let size: (UInt64?) -> String = { $0.map(ByteSize.format) ?? unknown }
        let peak: (UInt64?) -> String = { $0.map(ByteSize.format) ?? "-" }
        var table = TextTable(header: ["CATEGORY", "UNIT", "BUDGET", "ACTUAL", "PEAK", "OVER"],
                              rightAligned: [2, 3, 4, 5])
        for category in categories {
            let over = category.overBytes.map { $0 == 0 ? "-" : ByteSize.format($0) }
                ?? (category.category == .cache ? "" : unknown)
            table.add([category.category.rawValue, "", size(category.countedBytes), size(category.actualBytes),
                       peak(category.peakBytes), over])
            for unit in category.units { table.add(unit.textRow) }
        }
        table.add(["application", "", size(application.budgetBytes), size(application.actualBytes),
                   peak(application.peakBytes),
                   application.headroomBytes.map { $0 < 0 ? ByteSize.format($0.magnitude) : "-" } ?? unknown])
        for unit in application.units { table.add(unit.textRow) }

        var out: [String] = []
        let source = installed.source == .memoryBlocks ? "memory blocks" : "MemTotal, blocks unreadable"
        out.append("Installed RAM \(ByteSize.format(installed.bytes)) (\(source)), MemTotal \(ByteSize.format(memTotalBytes))")
        out.append("")
        out.append(table.render())
        out.append("")
        out.append(contentsOf: modelLines)
        if !unavailable.isEmpty {
            out.append("")
            out.append("Unavailable on this host:")
            out.append(contentsOf: unavailable.map { "  - \($0)" })
        }
        return out.joined(separator: "\n")
    }

    /// How the application budget follows from the categories, in words and figures.
    var modelLines: [String] {
        guard let budget = application.budgetBytes, let headroom = application.headroomBytes else {
            return ["Application budget: unknown here (it needs the per-service figures this host cannot give)."]
        }
        var terms: [String] = []
        for category in categories {
            guard let counted = category.countedBytes else { continue }
            if category.category == .cache {
                let target = ByteSize.format(category.expectedBytes ?? 0)
                terms.append(counted == category.expectedBytes ? "cache target \(target)"
                    : "cache \(ByteSize.format(counted)) (target \(target), the rest held in the management reserve)")
            } else {
                terms.append("\(category.category.rawValue) \(ByteSize.format(counted))")
            }
        }
        var lines = ["Application budget \(ByteSize.format(budget)) = installed \(ByteSize.format(installed.bytes)) - "
                        + terms.joined(separator: " - ") + ".",
                     "Headroom left for applications: \(ByteSize.format(signed: headroom))."
                        + (categories.contains { $0.peakBytes != nil } ? "" : " (PEAK: no budget record from the daemon.)")]
        let promised = application.units.saturatingSum { $0.expectedBytes ?? 0 }
        if promised > budget {
            lines.append("The application units' own budgets add up to \(ByteSize.format(promised)), more than the "
                + "\(ByteSize.format(budget)) the model leaves: this VM is too small for them at their peaks.")
        }
        return lines
    }
}

extension UnitBudget {
    var jsonValue: JSONValue {
        .object([
            "unit": .string(unit),
            "expected_bytes": .bytes(expectedBytes),
            "actual_bytes": .bytes(actualBytes),
            "peak_bytes": .bytes(peakBytes),
            "over_bytes": .bytes(overBytes),
        ])
    }

    var textRow: [String] {
        ["", unit, expectedBytes.map(ByteSize.format) ?? "-", ByteSize.format(actualBytes),
         peakBytes.map(ByteSize.format) ?? "-", overBytes == 0 ? "-" : ByteSize.format(overBytes)]
    }
}
