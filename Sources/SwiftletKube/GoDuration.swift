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
    /// `time.ParseDuration`'s error, with Go's text (`time: unknown unit "x" in duration "5x"`).
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses Go's `time.ParseDuration` syntax (`300ms`, `-1.5h`, `2h45m`; units ns, us, µs, ms, s,
    /// m, h) into seconds, as kubectl does for `--since`. Nil for anything else.
    public static func parse(_ text: String) -> Double? {
        (try? nanoseconds(text)).map { Double($0) / 1e9 }
    }

    /// `time.ParseDuration` exactly: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` (or a bare `0`) into whole
    /// nanoseconds, with Go's overflow limits and error messages.
    public static func nanoseconds(_ text: String) throws(ParseError) -> Int64 {
        let original = text
        var s = Array(text.utf8)[...]
        var negative = false
        if let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual("0".utf8) { return 0 }
        let invalid = ParseError(description: "time: invalid duration " + quote(original))
        if s.isEmpty { throw invalid }
        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        while !s.isEmpty {
            guard let c = s.first, c == dot || isDigit(c) else { throw invalid }
            // The integer part (`leadingInt`).
            var whole: UInt64 = 0
            let before = s.count
            while let c = s.first, isDigit(c) {
                if whole > limit / 10 { throw invalid }
                whole = whole * 10 + UInt64(c - zero)
                if whole > limit { throw invalid }
                s = s.dropFirst()
            }
            let hasWhole = s.count != before
            // The fraction (`leadingFraction`): digits past what fits are ignored.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hasFraction = false
            if s.first == dot {
                s = s.dropFirst()
                let start = s.count
                var overflow = false
                while let c = s.first, isDigit(c) {
                    s = s.dropFirst()
                    if overflow { continue }
                    if fraction > (limit - 1) / 10 {
                        overflow = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(c - zero)
                    if next > limit {
                        overflow = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
                hasFraction = s.count != start
            }
            if !hasWhole && !hasFraction { throw invalid }
            let unitBytes = s.prefix { $0 != dot && !isDigit($0) }
            s = s.dropFirst(unitBytes.count)
            let unitText = String(decoding: unitBytes, as: UTF8.self)
            if unitBytes.isEmpty { throw ParseError(description: "time: missing unit in duration " + quote(original)) }
            guard let unit = units[unitText] else {
                throw ParseError(description: "time: unknown unit " + quote(unitText) + " in duration " + quote(original))
            }
            if whole > limit / unit { throw invalid }
            var value = whole * unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > limit { throw invalid }
            }
            let (sum, wrapped) = total.addingReportingOverflow(value)
            if wrapped || sum > limit { throw invalid }
            total = sum
        }
        if negative { return total == limit ? Int64.min : -Int64(total) }
        if total > limit - 1 { throw invalid }
        return Int64(total)
    }

    private static let dot = UInt8(ascii: ".")
    private static let zero = UInt8(ascii: "0")
    private static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= UInt8(ascii: "9") }

    private static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// The time package's `quote`: double quotes, `"` and `\` escaped, every byte of a
    /// non-ASCII or control character as `\xNN`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 || scalar.value < 0x20 {
                for byte in String(scalar).utf8 { out += "\\x" + String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }
            } else {
                if scalar == "\"" || scalar == "\\" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
