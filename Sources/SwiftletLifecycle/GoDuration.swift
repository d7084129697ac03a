/// Formats a duration the way Go's `time.Duration.String()` does ("10s", "1m20s", "5m0s",
/// "100ms"), because kubelet messages such as `back-off 1m20s restarting failed container=…`
/// embed it and users grep for them.
public enum GoDuration {
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite else { return seconds < 0 ? "-inf" : "inf" }
        let nanos = Int64((abs(seconds) * 1e9).rounded())
        let sign = seconds < 0 && nanos != 0 ? "-" : ""
        if nanos == 0 { return "0s" }
        if nanos < 1_000 { return sign + "\(nanos)ns" }
        if nanos < 1_000_000 { return sign + fraction(nanos, unit: 1_000) + "µs" }
        if nanos < 1_000_000_000 { return sign + fraction(nanos, unit: 1_000_000) + "ms" }
        let hours = nanos / 3_600_000_000_000
        let minutes = (nanos / 60_000_000_000) % 60
        let secondsPart = fraction(nanos % 60_000_000_000, unit: 1_000_000_000) + "s"
        if hours > 0 { return sign + "\(hours)h\(minutes)m" + secondsPart }
        if minutes > 0 { return sign + "\(minutes)m" + secondsPart }
        return sign + secondsPart
    }

    // Whole units, then the remainder without trailing zeros ("1.5", "80").
    private static func fraction(_ value: Int64, unit: Int64) -> String {
        let whole = value / unit
        var rest = value % unit
        guard rest != 0 else { return String(whole) }
        var digits = String(rest)
        let width = String(unit).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") {
            digits.removeLast()
            rest /= 10
        }
        return "\(whole).\(digits)"
    }
}

extension GoDuration {
    /// Parses Go's `time.ParseDuration` syntax (`300ms`, `-1.5h`, `2h45m`; units ns, us, µs, ms, s,
    /// m, h) into seconds, as kubectl does for `--since`. Nil for anything else.
    public static func parse(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else {
                return nil
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return sign * total
    }
}
