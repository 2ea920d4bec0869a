#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// One libFuzzer entry point for every parser; HEADROOM_FUZZ_TARGET picks the parser
/// (Fuzz/run sets it), so one instrumented build serves all targets.
enum FuzzTargets {
    static let kernelFile: [String: @Sendable (KernelText) throws(KernelFileError) -> Void] = [
        "meminfo": { text throws(KernelFileError) in _ = try Meminfo.parse(text) },
        "pressure": { text throws(KernelFileError) in _ = try Pressure.parse(text) },
        "vmstat": { text throws(KernelFileError) in _ = try Vmstat.parse(text) },
        "swaps": { text throws(KernelFileError) in _ = try SwapDevice.parseAll(text) },
        "swappiness": { text throws(KernelFileError) in _ = try Swappiness.parse(text) },
        "memory.stat": { text throws(KernelFileError) in _ = try CgroupMemoryStat.parse(text) },
        "memory.events": { text throws(KernelFileError) in _ = try CgroupMemoryEvents.parse(text) },
        "memory.max": { text throws(KernelFileError) in _ = try MemoryLimit.parse(text) },
        "memory.current": { text throws(KernelFileError) in _ = try CgroupCounter.parse(text) },
        "mounts": { text throws(KernelFileError) in _ = try MountTable.cgroup2MountPoints(text) },
        "cgroup.controllers": { text throws(KernelFileError) in _ = try CgroupControllers.parse(text) },
        "block_size_bytes": { text throws(KernelFileError) in _ = try InstalledMemory.parseBlockSize(text) },
        "online": { text throws(KernelFileError) in _ = try InstalledMemory.parseOnline(text) },
        "proc-status": { text throws(KernelFileError) in
            // What the process scan computes from a status: the joined snapshot and its total.
            let status = try ProcessStatus.parse(text)
            let stat = ProcessStat(pid: 1, name: "fuzz", state: "S", startTicks: 0)
            _ = ProcessSnapshot(stat: stat, status: status, commandLine: []).heldBytes
        },
        "proc-stat": { text throws(KernelFileError) in _ = try ProcessStat.parse(text).isZombie },
        "cgroup.procs": { text throws(KernelFileError) in _ = try CgroupProcesses.parse(text) },
        "mountinfo": { text throws(KernelFileError) in _ = try TmpfsMounts.parse(text) },
    ]

    static let document: [String: @Sendable ([UInt8]) -> Void] = [
        "config": fuzzConfig,
        "incident": { bytes in
            // As `headroom metrics` and headroom-ship read a spool file: strict summary, lenient rest.
            guard let json = try? JSONValue.parse(bytes), let summary = try? IncidentSummary(json: json, file: "fuzz") else {
                return
            }
            var tally = IncidentTally()
            tally.add(summary, document: json)
            tally.add(summary, document: json)
            _ = IncidentDocument(json).text(IncidentKey.host)
        },
        "status": { bytes in _ = try? DaemonStatus.parse(bytes) },
        "runtime-limits": fuzzRuntimeLimits,
        "budget-record": fuzzBudgetRecord,
        "policy-state": fuzzPolicyState,
        "cmdline": { bytes in _ = ProcessSnapshot.command(commandLine: bytes, name: "fuzz") },
        "ticket-state": fuzzTicketState,
        "byte-size": { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if case .success(let value) = ByteSize.parse(text) { _ = ByteSize.format(value) }
        },
        "unit-pattern": { bytes in
            // First line: the pattern; the rest: the unit name it is matched against.
            let parts = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
            guard let pattern = UnitPattern(String(decoding: parts[0], as: UTF8.self)) else { return }
            _ = pattern.matches(String(decoding: parts.count > 1 ? parts[1] : [], as: UTF8.self))
        },
    ]

    static var names: [String] { (Array(kernelFile.keys) + Array(document.keys)).sorted() }

    /// A config that parses must survive `config show` and parse back to the same settings.
    static func fuzzConfig(_ bytes: [UInt8]) {
        guard let config = try? HeadroomConfig.parse(bytes, file: "fuzz") else { return }
        let shown = Array(config.jsonValue.rendered().utf8)
        guard let again = try? HeadroomConfig.parse(shown, file: "shown") else {
            fatalError("the effective config does not parse back: \(String(decoding: shown, as: UTF8.self))")
        }
        guard again.jsonValue == config.jsonValue else {
            fatalError("the effective config changed on a round trip")
        }
    }

    /// A runtime-limit record that reads must be written and read back unchanged: the daemon
    /// rewrites it on every change, and what it lifts at stop comes from the reread file.
    static func fuzzRuntimeLimits(_ bytes: [UInt8]) {
        guard let record = try? RuntimeLimitRecord.parse(bytes, path: "fuzz") else { return }
        for limit in record.sorted { _ = limit.liftAssignments }
        let written = Array(record.jsonValue.rendered().utf8)
        guard (try? RuntimeLimitRecord.parse(written, path: "written")) == record else {
            fatalError("a runtime-limit record does not survive a write and a read: \(String(decoding: written, as: UTF8.self))")
        }
    }

    /// A policy state that reads must be written and read back unchanged (the daemon carries
    /// restarts and ladder steps across its restarts through it).
    static func fuzzPolicyState(_ bytes: [UInt8]) {
        guard let memory = try? PolicyMemory.parse(bytes, path: "fuzz") else { return }
        let written = Array(memory.jsonValue.rendered().utf8)
        guard (try? PolicyMemory.parse(written, path: "written")) == memory else {
            fatalError("a policy state does not survive a write and a read: \(String(decoding: written, as: UTF8.self))")
        }
    }

    /// A budget record that reads must be written and read back unchanged (the daemon carries
    /// peaks and overage starts across restarts through it).
    static func fuzzBudgetRecord(_ bytes: [UInt8]) {
        guard let record = try? BudgetRecord.parse(bytes) else { return }
        let written = Array(record.jsonValue.rendered().utf8)
        guard (try? BudgetRecord.parse(written)) == record else {
            fatalError("a budget record does not survive a write and a read: \(String(decoding: written, as: UTF8.self))")
        }
    }

    /// A queued record that reads must be written and read back unchanged.
    static func fuzzTicketState(_ bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), let record = QueuedRecord(json: json) else { return }
        let written = Array(record.jsonValue.rendered().utf8)
        guard let reread = try? JSONValue.parse(written), QueuedRecord(json: reread) == record else {
            fatalError("a queued record does not survive a write and a read")
        }
    }
}

nonisolated(unsafe) var selectedKernelFile: (@Sendable (KernelText) throws(KernelFileError) -> Void)?
nonisolated(unsafe) var selectedDocument: (@Sendable ([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = getenv("HEADROOM_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    selectedKernelFile = FuzzTargets.kernelFile[name]
    selectedDocument = FuzzTargets.document[name]
    if selectedKernelFile == nil && selectedDocument == nil {
        print("HEADROOM_FUZZ_TARGET must be one of: \(FuzzTargets.names.joined(separator: " "))")
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let parse = selectedKernelFile {
        do {
            try parse(KernelText(bytes: bytes, path: "fuzz"))
        } catch {
            _ = error.description
        }
    } else if let parse = selectedDocument {
        parse(bytes)
    }
    return 0
}
