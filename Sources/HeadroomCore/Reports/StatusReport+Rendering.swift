extension StatusReport {
    public var jsonValue: JSONValue {
        let info = system.meminfo
        return .object([
            "memory": .object([
                "installed_bytes": .bytes(system.installed.bytes),
                "installed_source": .string(system.installed.source.rawValue),
                "mem_total_bytes": .bytes(info.memTotal),
                "mem_available_bytes": .bytes(info.memAvailable),
                "mem_free_bytes": .bytes(info.memFree),
                "file_cache_bytes": .bytes(info.fileCache),
                "shmem_bytes": .bytes(info.shmem),
                "dirty_bytes": .bytes(info.dirty),
            ]),
            "swap": .object([
                "total_bytes": .bytes(info.swapTotal),
                "free_bytes": .bytes(info.swapFree),
                "used_bytes": .bytes(info.swapUsed),
                "swappiness": .integer(Int64(system.swappiness)),
                "devices": .array(system.swaps.map { device in
                    .object([
                        "path": .string(device.path), "type": .string(device.type),
                        "size_bytes": .bytes(device.sizeBytes), "used_bytes": .bytes(device.usedBytes),
                        "priority": .integer(device.priority),
                    ])
                }),
            ]),
            "pressure": system.pressure.jsonValue,
            "kernel_oom_kills": .bytes(system.vmstat.oomKill),
            "per_service_available": .bool(perServiceAvailable),
            "service_count": .integer(Int64(serviceCount)),
            "services": .array(services.map(\.jsonValue)),
            "unavailable": .array(unavailable.map(JSONValue.string)),
            "problems": .array(problems.map(JSONValue.string)),
        ])
    }

    public func renderText() -> String {
        let info = system.meminfo
        var out: [String] = []
        let installedNote = system.installed.source == .memoryBlocks ? "" : " (MemTotal; blocks unreadable)"
        let availablePercent = info.memTotal > 0 ? Int((Double(info.memAvailable) / Double(info.memTotal) * 100).rounded()) : 0
        out.append("Memory    installed \(ByteSize.format(system.installed.bytes))\(installedNote), "
            + "MemTotal \(ByteSize.format(info.memTotal)), available \(ByteSize.format(info.memAvailable)) "
            + "(\(availablePercent) %), page cache \(ByteSize.format(info.fileCache))")
        if info.swapTotal == 0 {
            out.append("Swap      none; swappiness \(system.swappiness)")
        } else {
            let devices = system.swaps.map { "\($0.path) \(ByteSize.format($0.sizeBytes))" }.joined(separator: ", ")
            out.append("Swap      \(ByteSize.format(info.swapUsed)) used of \(ByteSize.format(info.swapTotal))"
                + " (\(devices)); swappiness \(system.swappiness)")
        }
        out.append("Pressure  " + system.pressure.some.textLine(kind: "some"))
        out.append("          " + system.pressure.full.textLine(kind: "full"))
        out.append("OOM kills \(system.vmstat.oomKill) by the kernel since boot")
        out.append("")
        if perServiceAvailable {
            out.append("Services using most memory (\(services.count) of \(serviceCount); "
                + "working set = memory.current - inactive_file):")
            var table = TextTable(header: ["UNIT", "CATEGORY", "WORKING SET", "CURRENT", "SWAP", "EXPECTED",
                                           "PSI SOME10"], rightAligned: [2, 3, 4, 5, 6])
            for service in services {
                table.add([service.unit, service.category.rawValue, ByteSize.format(service.workingSetBytes),
                           ByteSize.format(service.currentBytes), service.swapBytes.map(ByteSize.format) ?? "-",
                           service.expectedBytes.map(ByteSize.format) ?? "-",
                           service.pressure.map { String(format2: $0.some.avg10) } ?? "-"])
            }
            out.append(table.render(indent: "  "))
        } else {
            out.append("Services: per-service figures are unavailable on this host (see below).")
        }
        if !unavailable.isEmpty {
            out.append("")
            out.append("Unavailable on this host:")
            out.append(contentsOf: unavailable.map { "  - \($0)" })
        }
        if !problems.isEmpty {
            out.append("")
            out.append("Problems:")
            out.append(contentsOf: problems.map { "  - \($0)" })
        }
        return out.joined(separator: "\n")
    }
}

extension StatusReport.ServiceLine {
    var jsonValue: JSONValue {
        .object([
            "unit": .string(unit),
            "category": .string(category.rawValue),
            "cgroup": .string(cgroupPath),
            "current_bytes": .bytes(currentBytes),
            "working_set_bytes": .bytes(workingSetBytes),
            "swap_bytes": .bytes(swapBytes),
            "expected_bytes": .bytes(expectedBytes),
            "memory_max_bytes": .bytes(maxLimit.bytes),
            "oom_kills": .bytes(oomKills),
            "pressure": pressure?.jsonValue ?? .null,
        ])
    }
}

extension Pressure {
    var jsonValue: JSONValue {
        .object(["some": some.jsonValue, "full": full.jsonValue])
    }
}

extension PressureLine {
    var jsonValue: JSONValue {
        .object([
            "avg10": .number(avg10), "avg60": .number(avg60), "avg300": .number(avg300),
            "total_us": .bytes(totalMicroseconds),
        ])
    }

    func textLine(kind: String) -> String {
        "\(kind) avg10 \(String(format2: avg10))  avg60 \(String(format2: avg60))  "
            + "avg300 \(String(format2: avg300))  total \(String(format2: Double(totalMicroseconds) / 1_000_000)) s"
    }
}
