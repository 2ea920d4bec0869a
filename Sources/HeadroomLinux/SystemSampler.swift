import HeadroomCore

/// Reads the host-wide figures: meminfo, PSI, vmstat, swaps, swappiness, installed RAM.
public struct SystemSampler: Sendable {
    public let paths: KernelPaths

    public init(paths: KernelPaths) {
        self.paths = paths
    }

    /// - Throws: `KernelFileError` for the first system file that is missing or malformed;
    ///   without these files there is nothing to report.
    public func sample() throws(KernelFileError) -> SystemSample {
        let meminfo = try Meminfo.parse(KernelFileReader.read(paths.meminfo))
        return SystemSample(
            meminfo: meminfo,
            pressure: try Pressure.parse(KernelFileReader.read(paths.memoryPressure)),
            vmstat: try Vmstat.parse(KernelFileReader.read(paths.vmstat)),
            swaps: try SwapDevice.parseAll(KernelFileReader.read(paths.swaps)),
            swappiness: try Swappiness.parse(KernelFileReader.read(paths.swappiness)),
            installed: installedMemory(memTotal: meminfo.memTotal))
    }

    /// Online memory blocks x block size; MemTotal, with the reason, when sysfs cannot say.
    public func installedMemory(memTotal: UInt64) -> InstalledMemory {
        let directory = paths.memoryBlocks
        do {
            let blockSize = try InstalledMemory.parseBlockSize(KernelFileReader.read(directory + "/block_size_bytes"))
            guard let entries = KernelFileReader.subdirectories(of: directory) else {
                return fallback(memTotal, "\(directory) cannot be listed")
            }
            var online: UInt64 = 0
            for entry in entries where entry.hasPrefix("memory") {
                // A block without an `online` file cannot be offlined: it is online.
                if let state = try KernelFileReader.readIfPresent("\(directory)/\(entry)/online") {
                    if try InstalledMemory.parseOnline(state) { online += 1 }
                } else {
                    online += 1
                }
            }
            guard online > 0 else { return fallback(memTotal, "\(directory) lists no online memory blocks") }
            let installed = online * blockSize
            // Hot-plug granularity can make blocks cover less than MemTotal in odd setups; never report less.
            return InstalledMemory(bytes: max(installed, memTotal), source: .memoryBlocks)
        } catch {
            return fallback(memTotal, error.description)
        }
    }

    private func fallback(_ memTotal: UInt64, _ reason: String) -> InstalledMemory {
        InstalledMemory(bytes: memTotal, source: .memTotalFallback, fallbackReason: reason)
    }
}
