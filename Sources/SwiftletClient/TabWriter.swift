/// The column alignment of Go's `text/tabwriter` as kubectl configures it: a cell is text ended by
/// `\t`; a column's width is fixed per run of consecutive lines that have that cell; the last
/// cell of a line is not aligned.
public struct TabWriter: Sendable {
    public var minWidth: Int
    public var padding: Int

    /// `kubectl get` tables (`printers.GetNewTabWriter`).
    public static let table = TabWriter(minWidth: 6, padding: 3)
    /// `kubectl describe` (`describe.NewPrefixWriter` over `tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)`).
    public static let describe = TabWriter(minWidth: 0, padding: 2)

    public init(minWidth: Int, padding: Int) {
        self.minWidth = minWidth
        self.padding = padding
    }

    public func format(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        // A trailing newline leaves one empty line that is not part of the output.
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        // widths[line][column] for every terminated cell.
        var widths = lines.map { [Int](repeating: 0, count: max($0.count - 1, 0)) }
        let maxColumns = widths.map(\.count).max() ?? 0
        for column in 0..<maxColumns {
            var line = 0
            while line < lines.count {
                guard widths[line].count > column else { line += 1; continue }
                var end = line
                var width = minWidth
                while end < lines.count, widths[end].count > column {
                    width = max(width, lines[end][column].count + padding)
                    end += 1
                }
                for l in line..<end { widths[l][column] = width }
                line = end
            }
        }
        var out = ""
        for (i, cells) in lines.enumerated() {
            for (column, cell) in cells.enumerated() {
                out += cell
                if column < widths[i].count { out += String(repeating: " ", count: widths[i][column] - cell.count) }
            }
            if i < lines.count - 1 || endsWithNewline { out += "\n" }
        }
        return out
    }
}
