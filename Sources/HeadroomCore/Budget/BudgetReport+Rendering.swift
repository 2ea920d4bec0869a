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
                    "actual_bytes": .bytes(category.actualBytes),
                    "over_bytes": .bytes(category.overBytes),
                    "units": .array(category.units.map(\.jsonValue)),
                ])
            }),
            "application": .object([
                "budget_bytes": .bytes(application.budgetBytes),
                "actual_bytes": .bytes(application.actualBytes),
                "headroom_bytes": .bytes(application.headroomBytes),
                "units": .array(application.units.map(\.jsonValue)),
            ]),
            "unavailable": .array(unavailable.map(JSONValue.string)),
        ])
    }

    public func renderText(unavailable: [String]) -> String {
        let unknown = "?"
        var table = TextTable(header: ["CATEGORY", "UNIT", "EXPECTED", "ACTUAL", "OVER"], rightAligned: [2, 3, 4])
        for category in categories {
            table.add([category.category.rawValue, "",
                       category.expectedBytes.map(ByteSize.format) ?? unknown,
                       category.actualBytes.map(ByteSize.format) ?? unknown,
                       category.overBytes.map { $0 == 0 ? "-" : ByteSize.format($0) } ?? (category.category == .cache ? "" : unknown)])
            for unit in category.units { table.add(unit.textRow) }
        }
        let applicationActual = application.actualBytes.map(ByteSize.format) ?? unknown
        table.add(["application", "", application.budgetBytes.map(ByteSize.format) ?? unknown, applicationActual,
                   application.headroomBytes.map { $0 < 0 ? ByteSize.format(UInt64(-$0)) : "-" } ?? unknown])
        for unit in application.units { table.add(unit.textRow) }

        var out: [String] = []
        let source = installed.source == .memoryBlocks ? "memory blocks" : "MemTotal, blocks unreadable"
        out.append("Installed RAM \(ByteSize.format(installed.bytes)) (\(source)), MemTotal \(ByteSize.format(memTotalBytes))")
        out.append("")
        out.append(table.render())
        out.append("")
        if let budget = application.budgetBytes, let headroom = application.headroomBytes {
            out.append("Application budget \(ByteSize.format(budget)) (installed RAM less every other category's "
                + "expectation); headroom left: \(ByteSize.format(signed: headroom)).")
        } else {
            out.append("Application budget: unknown here (it needs the per-service figures this host cannot give).")
        }
        if !unavailable.isEmpty {
            out.append("")
            out.append("Unavailable on this host:")
            out.append(contentsOf: unavailable.map { "  - \($0)" })
        }
        return out.joined(separator: "\n")
    }
}

extension UnitBudget {
    var jsonValue: JSONValue {
        .object([
            "unit": .string(unit),
            "expected_bytes": .bytes(expectedBytes),
            "actual_bytes": .bytes(actualBytes),
            "over_bytes": .bytes(overBytes),
        ])
    }

    var textRow: [String] {
        ["", unit, expectedBytes.map(ByteSize.format) ?? "-", ByteSize.format(actualBytes),
         overBytes == 0 ? "-" : ByteSize.format(overBytes)]
    }
}
