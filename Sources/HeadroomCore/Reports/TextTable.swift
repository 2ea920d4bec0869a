/// Left-aligned columns for the human output of the ops commands.
public struct TextTable {
    private var rows: [[String]] = []
    private let rightAligned: Set<Int>

    /// - Parameter rightAligned: column indexes to right-align (numbers).
    public init(header: [String], rightAligned: Set<Int> = []) {
        rows.append(header)
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render(indent: String = "") -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            var line = indent
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += rightAligned.contains(index) ? padding + cell : cell + padding
                if index < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
