/// What a unit's processes have reserved (private writable mappings, `VmData`) and how much of
/// that they have not touched yet.
///
/// A service that maps its heap at start (a database's buffers, a JVM's `-Xms`, a cache sized
/// by its config) and then touches it grows fast, but only up to what it mapped: its growth is
/// bounded by its reservation until it maps more. A leak maps as it goes, so its reservation
/// grows with what it holds and nothing is left untouched. Read from `/proc/PID/status`.
public struct AddressReservation: Equatable, Sendable {
    /// Σ `VmData`.
    public var dataBytes: UInt64
    /// Σ max(0, `VmData` − `RssAnon` − `VmSwap`): mapped, not yet resident or swapped.
    public var untouchedBytes: UInt64

    public init(dataBytes: UInt64, untouchedBytes: UInt64) {
        self.dataBytes = dataBytes
        self.untouchedBytes = untouchedBytes
    }

    /// The sum over a unit's processes.
    public init(_ processes: [ProcessStatus]) {
        self.init(dataBytes: processes.saturatingSum(\.dataBytes),
                  untouchedBytes: processes.saturatingSum { $0.dataBytes.over($0.anonBytes.saturatingAdd($0.swapBytes)) })
    }
}
