/// `Quantity.String()` / `CanonicalizeBytes`: the form the API server writes back.
///
/// No fractional digits, the largest exponent that loses nothing, and the suffix style the
/// value was written in: `0.5` → `500m`, `1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`, `1000Mi` stays
/// `1000Mi`, `1e3` stays `1e3`. A binary value below 1024, or one that is not a whole number,
/// is written as decimal SI (`1.1Ki` → `1126400m`).
extension Quantity {
    static let decimalSuffixes: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]
    static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    public var canonicalString: String {
        if nanos == 0 { return "0" }
        let sign = nanos < 0 ? "-" : ""
        // Int128.min never comes out of parsing or saturating arithmetic on real values; clamp it anyway.
        let magnitude = nanos == Int128.min ? Int128.max : (nanos < 0 ? -nanos : nanos)

        if format == .binarySI && magnitude >= 1024 * Quantity.nanosPerUnit
            && magnitude % Quantity.nanosPerUnit == 0
        {
            var units = magnitude / Quantity.nanosPerUnit
            var power = 0
            while units % 1024 == 0 && power < Quantity.binarySuffixes.count - 1 {
                units /= 1024
                power += 1
            }
            return sign + String(units) + Quantity.binarySuffixes[power]
        }

        // Decimal: mantissa × 10^exponent with the exponent a multiple of three, as large as possible.
        var mantissa = magnitude
        var exponent = -9
        while mantissa % 1000 == 0 {
            mantissa /= 1000
            exponent += 3
        }
        let suffix: String
        if format == .decimalExponent {
            suffix = exponent == 0 ? "" : "e\(exponent)"
        } else if let s = Quantity.decimalSuffixes[exponent] {
            suffix = s
        } else {
            // Past `E` there is no SI suffix; the API falls back to an exponent rather than lose it.
            suffix = "e\(exponent)"
        }
        return sign + String(mantissa) + suffix
    }
}
