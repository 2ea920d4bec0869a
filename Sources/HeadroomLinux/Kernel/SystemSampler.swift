import HeadroomCore

/// Reads the host-wide figures: meminfo, PSI, vmstat, swaps, swappiness, installed RAM.
///
/// The files are kept open between samples on a live system (see `KernelFile`). The swap
/// device list and installed RAM are re-read only when SwapTotal or MemTotal change
/// (swapon/swapoff, memory hot-plug): they are the expensive part, and the daemon's
/// steady tick must not list directories or build strings.
public final class SystemSampler {
    public let paths: KernelPaths
    private let keepFilesOpen: Bool
    private var meminfoFile: KernelFile?
    private var pressureFile: KernelFile?
    private var vmstatFile: KernelFile?
    private var swapsFile: KernelFile?
    private var swappinessFile: KernelFile?
    private var swaps: (swapTotal: UInt64, devices: [SwapDevice])?
    private var installed: (memTotal: UInt64, value: InstalledMemory)?

    /// - Parameter keepFilesOpen: default: on a live system only (fixture files are replaced by rename).
    public init(paths: KernelPaths, keepFilesOpen: Bool? = nil) {
        self.paths = paths
        self.keepFilesOpen = keepFilesOpen ?? paths.isLiveSystem
    }

    /// - Throws: `KernelFileError` for the first system file that is missing or malformed;
    ///   without these files there is nothing to report.
    public func sample() throws(KernelFileError) -> SystemSample {
        // meminfo, pressure and the sysctl are one record each; vmstat and swaps one per line.
        let meminfo = try Meminfo.parse(read(&meminfoFile, \.meminfo, oneRecord: true))
        let pressure = try Pressure.parse(read(&pressureFile, \.memoryPressure, oneRecord: true))
        let vmstat = try Vmstat.parse(read(&vmstatFile, \.vmstat))
        let swappiness = try Swappiness.parse(read(&swappinessFile, \.swappiness, oneRecord: true))
        if swaps?.swapTotal != meminfo.swapTotal {
            swaps = (meminfo.swapTotal, try SwapDevice.parseAll(read(&swapsFile, \.swaps)))
        }
        if installed?.memTotal != meminfo.memTotal {
            installed = (meminfo.memTotal, installedMemory(memTotal: meminfo.memTotal))
        }
        return SystemSample(meminfo: meminfo, pressure: pressure, vmstat: vmstat, swaps: swaps?.devices ?? [],
                            swappiness: swappiness, installed: installed!.value)
    }

    /// The path is built only when the file is first opened: building it allocates.
    private func read(_ file: inout KernelFile?, _ path: KeyPath<KernelPaths, String>,
                      oneRecord: Bool = false) throws(KernelFileError) -> KernelText {
        if file == nil {
            file = try KernelFile(path: paths[keyPath: path], keepOpen: keepFilesOpen, oneRecord: oneRecord)
        }
        return try file!.read()
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
            let (installed, overflow) = online.multipliedReportingOverflow(by: blockSize)
            guard !overflow, installed <= KernelText.plausibleLimit else {
                return fallback(memTotal, "\(directory): \(online) blocks of \(blockSize) bytes is implausibly large")
            }
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
