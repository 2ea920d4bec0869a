/// One active swap area from `/proc/swaps`.
public struct SwapDevice: Equatable, Sendable {
    public var path: String
    public var type: String
    public var sizeBytes: UInt64
    public var usedBytes: UInt64
    public var priority: Int64

    public init(path: String, type: String, sizeBytes: UInt64, usedBytes: UInt64, priority: Int64) {
        self.path = path
        self.type = type
        self.sizeBytes = sizeBytes
        self.usedBytes = usedBytes
        self.priority = priority
    }

    /// Parses `/proc/swaps`: a header line, then `Filename Type Size Used Priority`
    /// per area, sizes in KiB. An empty list means the VM has no swap.
    public static func parseAll(_ text: KernelText) throws(KernelFileError) -> [SwapDevice] {
        var devices: [SwapDevice] = []
        var sawHeader = false
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            if !sawHeader {
                guard let first = fields.next(), line.isEqual(first, to: "Filename") else {
                    throw text.error("expected the header line 'Filename Type Size Used Priority'", at: line)
                }
                sawHeader = true
                return
            }
            guard let path = fields.next(), let type = fields.next(),
                  let sizeField = fields.next(), let usedField = fields.next(),
                  let priorityField = fields.next(), fields.isAtEnd() else {
                throw text.error("expected 5 fields: Filename Type Size Used Priority", at: line)
            }
            guard let size = line.unsigned(sizeField), let used = line.unsigned(usedField),
                  let priority = line.signed(priorityField) else {
                throw text.error("Size and Used must be KiB counts and Priority an integer", at: line)
            }
            _ = try text.plausible(size > UInt64.max / 1024 ? .max : size * 1024, at: line, shown: size)
            guard used <= size else { throw text.error("Used is larger than Size", at: line) }
            devices.append(SwapDevice(path: line.substring(path), type: line.substring(type),
                                      sizeBytes: size * 1024, usedBytes: used * 1024, priority: priority))
        }
        if !sawHeader {
            throw KernelFileError(path: text.path, kind: .malformed, reason: "file is empty, expected a header line")
        }
        return devices
    }
}

/// `/proc/sys/vm/swappiness`.
public enum Swappiness {
    /// The kernel accepts 0 to 200 (Linux 5.8+; 100 before).
    public static let range: ClosedRange<Int> = 0...200

    public static func parse(_ text: KernelText) throws(KernelFileError) -> Int {
        let line = try text.singleValue()
        guard let value = line.unsigned(line.start..<line.end), value <= UInt64(range.upperBound) else {
            throw text.error("expected a whole number from 0 to 200", at: line)
        }
        return Int(value)
    }
}
