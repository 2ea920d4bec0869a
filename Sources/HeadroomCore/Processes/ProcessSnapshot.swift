/// One process of a unit as captured for an incident, before Headroom acts: who it was
/// (pid, start time, command) and what it held.
public struct ProcessSnapshot: Equatable, Sendable {
    public var pid: Int32
    /// From `/proc/PID/stat`: with the pid, names this process and no later one.
    public var startTicks: UInt64
    /// The command line (arguments joined by spaces), or `[comm]` when it has none
    /// (kernel threads, zombies), truncated to `ProcessSnapshot.commandLimit` characters.
    public var command: String
    public var residentBytes: UInt64
    public var anonBytes: UInt64
    public var shmemBytes: UInt64
    public var swapBytes: UInt64

    public static let commandLimit = 160

    public init(pid: Int32, startTicks: UInt64, command: String, residentBytes: UInt64 = 0, anonBytes: UInt64 = 0,
                shmemBytes: UInt64 = 0, swapBytes: UInt64 = 0) {
        self.pid = pid
        self.startTicks = startTicks
        self.command = command
        self.residentBytes = residentBytes
        self.anonBytes = anonBytes
        self.shmemBytes = shmemBytes
        self.swapBytes = swapBytes
    }

    /// Joins a parsed stat, status and cmdline.
    public init(stat: ProcessStat, status: ProcessStatus, commandLine: [UInt8]) {
        self.init(pid: stat.pid, startTicks: stat.startTicks,
                  command: Self.command(commandLine: commandLine, name: status.name.isEmpty ? stat.name : status.name),
                  residentBytes: status.residentBytes, anonBytes: status.anonBytes,
                  shmemBytes: status.shmemBytes, swapBytes: status.swapBytes)
    }

    /// What the process holds that killing it would free or move: resident plus swapped.
    public var heldBytes: UInt64 { residentBytes + swapBytes }

    /// `/proc/PID/cmdline` (NUL-separated arguments) as one line; control characters
    /// become `?` so a ticket or journal line cannot be forged by an argument.
    public static func command(commandLine: [UInt8], name: String) -> String {
        var arguments = commandLine
        while arguments.last == 0 { arguments.removeLast() }
        guard !arguments.isEmpty else { return "[\(name)]" }
        let printable = arguments.map { byte -> UInt8 in
            if byte == 0 { return UInt8(ascii: " ") }
            return byte < 0x20 || byte == 0x7f ? UInt8(ascii: "?") : byte
        }
        let text = String(decoding: printable, as: UTF8.self)
        guard text.count > commandLimit else { return text }
        return String(text.prefix(commandLimit - 1)) + "…"
    }

    /// The processes holding the most first (resident plus swap), ties by pid.
    public static func largestFirst(_ processes: [ProcessSnapshot]) -> [ProcessSnapshot] {
        processes.sorted { ($0.heldBytes, $1.pid) > ($1.heldBytes, $0.pid) }
    }
}
