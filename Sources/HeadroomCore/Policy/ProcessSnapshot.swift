/// One process as the shell reads it from /proc (status, smaps_rollup), before any action,
/// so the incident holds the evidence (DESIGN §5).
public struct ProcessSnapshot: Equatable, Sendable {
    public var pid: Int32
    public var command: String
    public var rssBytes: UInt64
    public var anonBytes: UInt64
    public var swapBytes: UInt64
    public var shmemBytes: UInt64

    public init(pid: Int32, command: String, rssBytes: UInt64, anonBytes: UInt64, swapBytes: UInt64,
                shmemBytes: UInt64) {
        self.pid = pid
        self.command = command
        self.rssBytes = rssBytes
        self.anonBytes = anonBytes
        self.swapBytes = swapBytes
        self.shmemBytes = shmemBytes
    }

    /// What terminating it gives back: private anonymous memory, in RAM or swapped.
    public var privateBytes: UInt64 { anonBytes + swapBytes }
}
