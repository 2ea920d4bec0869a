/// The fields Headroom needs from `/proc/PID/stat`: the command name, the state and the
/// start time, which tells one process from a later one that re-uses its pid.
public struct ProcessStat: Equatable, Sendable {
    public var pid: Int32
    /// `comm`, which may itself contain spaces and parentheses.
    public var name: String
    /// `R`, `S`, `D`, `Z`, ...
    public var state: Character
    /// Field 22, `starttime`: clock ticks (`sysconf(_SC_CLK_TCK)`) after boot.
    public var startTicks: UInt64

    public init(pid: Int32, name: String, state: Character, startTicks: UInt64) {
        self.pid = pid
        self.name = name
        self.state = state
        self.startTicks = startTicks
    }

    public var isZombie: Bool { state == "Z" || state == "X" }

    /// - Throws: `KernelFileError` when the line is not `PID (COMM) STATE ...` with at least
    ///   22 fields. `comm` ends at the last `)`, so a name like `a) b` is read whole.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> ProcessStat {
        let line = try text.singleValue()
        let bytes = text.bytes
        let open = (line.start..<line.end).first(where: { bytes[$0] == UInt8(ascii: "(") }) ?? line.end
        let close = (line.start..<line.end).last(where: { bytes[$0] == UInt8(ascii: ")") }) ?? line.start
        var head = TextLine(text: text, start: line.start, end: open, number: line.number).fields()
        guard open < close, let pidField = head.next(), head.isAtEnd(),
              let pid = line.signed(pidField).flatMap({ Int32(exactly: $0) }) else {
            throw text.error("expected 'PID (COMM) STATE ...'", at: line)
        }
        var fields = TextLine(text: text, start: close + 1, end: line.end, number: line.number).fields()
        guard let stateField = fields.next(), stateField.count == 1 else {
            throw text.error("expected a one-letter state after the command name", at: line)
        }
        var start: Range<Int>?
        for _ in 0..<19 { start = fields.next() }
        guard let start, let ticks = line.unsigned(start) else {
            throw text.error("expected the start time as field 22", at: line)
        }
        return ProcessStat(pid: pid, name: line.substring(open + 1..<close),
                           state: Character(Unicode.Scalar(bytes[stateField.lowerBound])), startTicks: ticks)
    }
}
