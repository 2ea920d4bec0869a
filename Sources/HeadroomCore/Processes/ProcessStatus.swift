/// The memory figures of one process from `/proc/PID/status`, in bytes.
///
/// Kernel threads and zombies have no `Vm*`/`Rss*` lines; their figures are 0, which is
/// what they hold. Values in the file are in kB (KiB).
public struct ProcessStatus: Equatable, Sendable {
    /// `Name:`, the kernel's 15-character command name (`comm`).
    public var name: String = ""
    /// `VmRSS:` resident set: `rssAnon + rssFile + rssShmem`.
    public var residentBytes: UInt64 = 0
    public var anonBytes: UInt64 = 0
    public var fileBytes: UInt64 = 0
    /// `RssShmem:` resident shared memory (tmpfs, SysV/POSIX shm, shared anonymous maps).
    public var shmemBytes: UInt64 = 0
    public var swapBytes: UInt64 = 0
    /// `VmData:` private writable mappings (heap, anonymous maps), touched or not: what the
    /// process has reserved, of which `anonBytes` and `swapBytes` are in use.
    public var dataBytes: UInt64 = 0

    public init() {}

    /// - Throws: `KernelFileError` for a line without a colon, or a memory line whose value
    ///   is not `NUMBER kB` or is implausible (above 2^52 bytes), naming the file and the line.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> ProcessStatus {
        var status = ProcessStatus()
        try text.forEachLine { line throws(KernelFileError) in
            guard let (key, rest) = line.splitAtColon() else {
                throw text.error("expected 'Key:\tvalue'", at: line)
            }
            if line.isEqual(key, to: "Name") {
                status.name = rest.trimmed().string
                return
            }
            guard let field = memoryField(line, key) else { return }
            var fields = rest.fields()
            guard let number = fields.next(), let value = line.unsigned(number), let unit = fields.next(),
                  line.isEqual(unit, to: "kB"), fields.isAtEnd() else {
                throw text.error("expected 'NUMBER kB'", at: line)
            }
            // Checked: x 1024 trapped on 2^54 kB and up; above 2^52 no sum downstream is safe.
            let (bytes, overflow) = value.multipliedReportingOverflow(by: 1024)
            status[keyPath: field] = try text.plausible(overflow ? .max : bytes, at: line, shown: value)
        }
        return status
    }

    static func memoryField(_ line: TextLine, _ key: Range<Int>) -> WritableKeyPath<ProcessStatus, UInt64>? {
        switch true {
        case line.isEqual(key, to: "VmRSS"): \.residentBytes
        case line.isEqual(key, to: "RssAnon"): \.anonBytes
        case line.isEqual(key, to: "RssFile"): \.fileBytes
        case line.isEqual(key, to: "RssShmem"): \.shmemBytes
        case line.isEqual(key, to: "VmSwap"): \.swapBytes
        case line.isEqual(key, to: "VmData"): \.dataBytes
        default: nil
        }
    }
}
