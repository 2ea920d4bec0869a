#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Reads the processes of a unit's cgroup from procfs: for an incident's evidence before an
/// action, and to find the runaway process in a session scope. Processes exit while they are
/// read; those are counted as vanished, not reported as errors.
public struct ProcessSnapshotReader: Sendable {
    public let paths: KernelPaths

    public init(paths: KernelPaths = KernelPaths()) { self.paths = paths }

    /// The processes of a cgroup and of its child cgroups (a service's own sub-groups belong to it).
    public struct UnitProcesses: Equatable, Sendable {
        /// Largest first (resident plus swap), at most the `limit` asked for.
        public var processes: [ProcessSnapshot]
        /// How many processes the cgroup listed, including those left out by the limit.
        public var listed: Int
        /// Listed, but gone before they could be read.
        public var vanished: Int
        /// Files that could be read but not parsed (named with their line), for the log.
        public var problems: [String]
    }

    /// - Parameters:
    ///   - cgroupDirectory: the unit's cgroup directory (already under `paths.root` when testing).
    ///   - limit: how many processes to keep, largest first.
    /// - Throws: `KernelFileError` only when the unit's own `cgroup.procs` cannot be read
    ///   (`.missing`: the cgroup has gone).
    ///   - commandLines: read each `cmdline` too. It is read from the process's own memory, so
    ///     it waits on that process's page faults: behind a thrashing leak, seconds (measured in
    ///     the guest: 5.4 s). Without it the command is `[comm]`.
    public func snapshot(cgroupDirectory: String, limit: Int = 20,
                         commandLines: Bool = true) throws(KernelFileError) -> UnitProcesses {
        let pids = try pids(cgroupDirectory: cgroupDirectory)
        var result = UnitProcesses(processes: [], listed: pids.count, vanished: 0, problems: [])
        for pid in pids {
            switch read(pid: pid, commandLine: commandLines) {
            case .success(let process): result.processes.append(process)
            case .failure(let error) where Self.isVanished(error): result.vanished += 1
            case .failure(let error): result.problems.append(error.description)
            }
        }
        result.processes = Array(ProcessSnapshot.largestFirst(result.processes).prefix(max(0, limit)))
        return result
    }

    /// The pids in a cgroup and its child cgroups; child groups that vanish while listed are skipped.
    /// - Throws: `KernelFileError` when the cgroup's own `cgroup.procs` cannot be read or parsed.
    public func pids(cgroupDirectory: String) throws(KernelFileError) -> [Int32] {
        var pids = try CgroupProcesses.parse(KernelFileReader.read(cgroupDirectory + "/cgroup.procs"))
        for child in Self.descendants(of: cgroupDirectory) {
            if let text = try? KernelFileReader.read(child + "/cgroup.procs"),
               let more = try? CgroupProcesses.parse(text) { pids += more }
        }
        return pids
    }

    /// One process, read from its `stat`, `status` and (with `commandLine`) `cmdline`.
    public func read(pid: Int32, commandLine: Bool = true) -> Result<ProcessSnapshot, KernelFileError> {
        let directory = paths.path("/proc/\(pid)")
        do throws(KernelFileError) {
            let stat = try ProcessStat.parse(KernelFileReader.read(directory + "/stat"))
            let status = try self.status(pid: pid)
            let arguments = commandLine ? try self.commandLine(pid: pid) : []
            return .success(ProcessSnapshot(stat: stat, status: status, commandLine: arguments))
        } catch {
            return .failure(error)
        }
    }

    /// What a cgroup's processes (its child cgroups' included) have mapped and not touched, from
    /// their `status` alone; nil when the cgroup has gone or none of them could be read.
    public func reservation(cgroupDirectory: String) -> AddressReservation? {
        guard let pids = try? pids(cgroupDirectory: cgroupDirectory) else { return nil }
        let statuses = pids.compactMap { try? status(pid: $0) }
        return statuses.isEmpty ? nil : AddressReservation(statuses)
    }

    /// `/proc/PID/status`, parsed.
    public func status(pid: Int32) throws(KernelFileError) -> ProcessStatus {
        try ProcessStatus.parse(KernelFileReader.read(paths.path("/proc/\(pid)/status")))
    }

    /// `/proc/PID/cmdline` as bytes.
    public func commandLine(pid: Int32) throws(KernelFileError) -> [UInt8] {
        let text = try KernelFileReader.read(paths.path("/proc/\(pid)/cmdline"))
        return Array(text.bytes[..<text.count])
    }

    /// The start time of a pid now (nil when it has gone): what tells it from a later process with the same pid.
    public func startTicks(pid: Int32) -> UInt64? {
        guard let text = try? KernelFileReader.read(paths.path("/proc/\(pid)/stat")) else { return nil }
        return try? ProcessStat.parse(text).startTicks
    }

    /// ENOENT (gone), ESRCH (exiting while read): the process has vanished.
    static func isVanished(_ error: KernelFileError) -> Bool {
        switch error.kind {
        case .missing: true
        case .unreadable(let code): code == ESRCH
        default: false
        }
    }

    /// Every cgroup directory below `directory`, depth first.
    static func descendants(of directory: String) -> [String] {
        guard let children = KernelFileReader.subdirectories(of: directory) else { return [] }
        return children.flatMap { name -> [String] in
            let path = directory + "/" + name
            return [path] + descendants(of: path)
        }
    }
}
