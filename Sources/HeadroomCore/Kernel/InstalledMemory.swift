/// How much RAM the VM was given, which is more than MemTotal: the kernel
/// reserves part of it before MemTotal is counted (the budget's `kernel` category).
public struct InstalledMemory: Equatable, Sendable {
    public enum Source: String, Equatable, Sendable {
        /// Online memory blocks x block size from `/sys/devices/system/memory`.
        case memoryBlocks = "memory_blocks"
        /// `/sys/devices/system/memory` was not usable; MemTotal stands in (kernel reserve unknown).
        case memTotalFallback = "memtotal_fallback"
    }

    public var bytes: UInt64
    public var source: Source
    /// Why the fallback was used, for the "unavailable" list.
    public var fallbackReason: String?

    public init(bytes: UInt64, source: Source, fallbackReason: String? = nil) {
        self.bytes = bytes
        self.source = source
        self.fallbackReason = fallbackReason
    }

    /// `block_size_bytes` holds the block size in hexadecimal without a prefix (e.g. `8000000`).
    public static func parseBlockSize(_ text: KernelText) throws(KernelFileError) -> UInt64 {
        let line = try text.singleValue()
        guard let value = KernelText.parseHex(text.bytes, line.start..<line.end), value > 0 else {
            throw text.error("expected the block size in hexadecimal, such as 8000000", at: line)
        }
        return try text.plausible(value, at: line)
    }

    /// A block's `online` file: `1` or `0`.
    public static func parseOnline(_ text: KernelText) throws(KernelFileError) -> Bool {
        let line = try text.singleValue()
        if line.isEqual(to: "1") { return true }
        if line.isEqual(to: "0") { return false }
        throw text.error("expected 0 or 1", at: line)
    }
}
