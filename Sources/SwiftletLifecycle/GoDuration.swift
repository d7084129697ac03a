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
