import Foundation

/// A named series of measurements and its summary line.
struct Sample: Sendable {
    var what: String
    var unit: String
    var values: [Double]

    var sorted: [Double] { values.sorted() }
    var median: Double? {
        let s = sorted
        guard !s.isEmpty else { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    /// Nearest-rank 99th percentile (the maximum below 100 values).
    var p99: Double? {
        let s = sorted
        guard !s.isEmpty else { return nil }
        return s[Swift.min(s.count - 1, Int((Double(s.count) * 0.99).rounded(.up)) - 1)]
    }
    var min: Double? { values.min() }
    var max: Double? { values.max() }
    var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
}

/// Prints samples as a fixed-width table: what, median, p99, min, max, N (and the mean, which the memory budget is stated in).
enum SampleTable {
    static func render(_ samples: [Sample]) -> String {
        let header = ["what", "median", "p99", "min", "max", "N", "mean"]
        let rows = samples.map { s in
            ["\(s.what) (\(s.unit))", format(s.median), format(s.p99), format(s.min), format(s.max), String(s.values.count), format(s.mean)]
        }
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value >= 100 { return String(Int(value.rounded())) }
        let tenths = (value * 10).rounded() / 10
        return String(tenths)
    }
}
