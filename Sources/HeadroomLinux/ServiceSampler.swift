import HeadroomCore

/// Lists the units in the cgroup v2 tree and reads their memory files.
public struct ServiceSampler: Sendable {
    public let visibility: ServiceVisibility

    public init(visibility: ServiceVisibility) {
        self.visibility = visibility
    }

    /// Every `*.service` and `*.scope` under the root and its slices, nested slices included.
    /// A unit's own sub-cgroups belong to it and are not listed.
    public func listUnitCgroups() -> [(unit: String, relativePath: String)] {
        guard case .available(let root) = visibility else { return [] }
        var found: [(unit: String, relativePath: String)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : "\(root)/\(relative)"
            for name in KernelFileReader.subdirectories(of: directory) ?? [] {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                switch CgroupDirectoryKind.of(directoryName: name) {
                case .slice: pending.append(child)
                case .unit: found.append((name, child))
                case .other: break
                }
            }
        }
        return found.sorted { $0.relativePath < $1.relativePath }
    }

    /// Reads every unit. A cgroup that vanished is noted and skipped; a malformed file
    /// leaves that unit out and is reported, the others are still read.
    public func scan() -> ServiceScan {
        guard case .available(let root) = visibility else { return ServiceScan(visibility: visibility) }
        var scan = ServiceScan(visibility: visibility)
        for (unit, relativePath) in listUnitCgroups() {
            do {
                scan.services.append(try read(unit: unit, directory: "\(root)/\(relativePath)",
                                              relativePath: relativePath))
            } catch where error.kind == .missing {
                scan.vanished.append(unit)
            } catch {
                scan.problems.append(error)
            }
        }
        return scan
    }

    /// - Throws: `.missing` when the cgroup has gone (its directory or `memory.current` is gone);
    ///   other `KernelFileError`s for malformed content.
    public func read(unit: String, directory: String, relativePath: String) throws(KernelFileError) -> ServiceSample {
        let current = try CgroupCounter.parse(KernelFileReader.read(directory + "/memory.current"))
        let stat = try CgroupMemoryStat.parse(KernelFileReader.read(directory + "/memory.stat"))
        let events = try CgroupMemoryEvents.parse(KernelFileReader.read(directory + "/memory.events"))
        let swap = try KernelFileReader.readIfPresent(directory + "/memory.swap.current")
            .map { text throws(KernelFileError) in try CgroupCounter.parse(text) }
        let pressure = try KernelFileReader.readIfPresent(directory + "/memory.pressure")
            .map { text throws(KernelFileError) in try Pressure.parse(text) }
        return ServiceSample(
            unit: unit, cgroupPath: relativePath, current: current, swapCurrent: swap, stat: stat,
            pressure: pressure, events: events,
            min: try limit(directory + "/memory.min", default: .bytes(0)),
            low: try limit(directory + "/memory.low", default: .bytes(0)),
            high: try limit(directory + "/memory.high", default: .unlimited),
            max: try limit(directory + "/memory.max", default: .unlimited))
    }

    private func limit(_ path: String, default value: MemoryLimit) throws(KernelFileError) -> MemoryLimit {
        guard let text = try KernelFileReader.readIfPresent(path) else { return value }
        return try MemoryLimit.parse(text)
    }
}
