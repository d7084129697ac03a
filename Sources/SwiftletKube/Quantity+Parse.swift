/// `ParseQuantity` (k8s.io/apimachinery/pkg/api/resource/quantity.go).
extension Quantity {
    /// Parses every form the API server accepts: `100m`, `0.5`, `.5`, `+1`, `1.`, `128Mi`,
    /// `1G`, `1e3`, `1.3E+6`. Anything finer than `1n` rounds away from zero; binary-suffixed
    /// values are capped at 2^63-1, like the API server does.
    public init(parsing text: String) throws(QuantityError) {
        if text.isEmpty { throw QuantityError(.formatWrong, input: text) }
        if text == "0" {
            self.init(nanos: 0, format: .decimalSI)
            return
        }
        guard let parts = Quantity.split(Array(text.utf8)) else { throw QuantityError(.formatWrong, input: text) }
        guard let (base, exponent, format) = Quantity.interpret(suffix: parts.suffix) else {
            throw QuantityError(.suffix, input: text)
        }
        // Trailing zeros of the fraction change nothing and would only cost digits.
        var denom = parts.denom[...]
        while denom.last == UInt8(ascii: "0") { denom.removeLast() }
        let digits = parts.num + Array(denom)

        var magnitude: Int128
        var resultFormat = format
        if base == 10 {
            guard let m = Quantity.nanos(digits: digits, powerOfTen: exponent - denom.count + 9) else {
                throw QuantityError(.numeric, input: text)
            }
            magnitude = m
        } else {
            // 2^exponent is at most 2^60; the product may exceed 128 bits only for absurd inputs.
            guard let mantissa = Quantity.integer(digits) else { throw QuantityError(.numeric, input: text) }
            let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: Int128(1) << exponent)
            if overflow {
                magnitude = Quantity.maxBinaryNanos
            } else {
                guard let m = Quantity.nanos(digits: Array(String(scaled).utf8), powerOfTen: 9 - denom.count) else {
                    throw QuantityError(.numeric, input: text)
                }
                magnitude = min(m, Quantity.maxBinaryNanos)
            }
            if magnitude > 0 && magnitude < Quantity.nanosPerUnit { resultFormat = .decimalSI }
        }
        self.init(nanos: parts.positive ? magnitude : -magnitude, format: resultFormat)
    }

    struct Parts {
        var positive: Bool
        var num: [UInt8]
        var denom: [UInt8]
        var suffix: [UInt8]
    }

    static let suffixCharacters = Set("eEinumkKMGTP".utf8)

    /// `parseQuantityString`: sign, integer digits (leading zeros dropped), fraction digits, suffix.
    /// Nil when the text does not have the shape of `splitREString`.
    static func split(_ s: [UInt8]) -> Parts? {
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        var parts = Parts(positive: true, num: [], denom: [], suffix: [])
        var pos = 0
        let end = s.count
        if pos < end {
            if s[0] == UInt8(ascii: "-") {
                parts.positive = false
                pos += 1
            } else if s[0] == UInt8(ascii: "+") {
                pos += 1
            }
        }
        while pos < end && s[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos >= end { return parts }
        let numStart = pos
        while pos < end && isDigit(s[pos]) { pos += 1 }
        parts.num = Array(s[numStart..<pos])
        if pos >= end { return parts }
        if s[pos] == UInt8(ascii: ".") {
            pos += 1
            let denomStart = pos
            while pos < end && isDigit(s[pos]) { pos += 1 }
            parts.denom = Array(s[denomStart..<pos])
            if pos >= end { return parts }
        }
        let suffixStart = pos
        while pos < end && suffixCharacters.contains(s[pos]) { pos += 1 }
        if pos < end && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) { pos += 1 }
        while pos < end && isDigit(s[pos]) { pos += 1 }
        guard pos == end else { return nil }
        parts.suffix = Array(s[suffixStart..<end])
        return parts
    }

    /// `quantitySuffixer.interpret`: the base, exponent and format a suffix stands for.
    static func interpret(suffix: [UInt8]) -> (base: Int, exponent: Int, format: Format)? {
        switch String(decoding: suffix, as: UTF8.self) {
        case "": return (10, 0, .decimalSI)
        case "n": return (10, -9, .decimalSI)
        case "u": return (10, -6, .decimalSI)
        case "m": return (10, -3, .decimalSI)
        case "k": return (10, 3, .decimalSI)
        case "M": return (10, 6, .decimalSI)
        case "G": return (10, 9, .decimalSI)
        case "T": return (10, 12, .decimalSI)
        case "P": return (10, 15, .decimalSI)
        case "E": return (10, 18, .decimalSI)
        case "Ki": return (2, 10, .binarySI)
        case "Mi": return (2, 20, .binarySI)
        case "Gi": return (2, 30, .binarySI)
        case "Ti": return (2, 40, .binarySI)
        case "Pi": return (2, 50, .binarySI)
        case "Ei": return (2, 60, .binarySI)
        case let s where s.count > 1 && (s.first == "e" || s.first == "E"):
            guard let e = Int64(s.dropFirst()) else { return nil }
            // Go truncates the exponent to int32; beyond ±1000 only zero or overflow remain anyway.
            return (10, Int(max(-1000, min(1000, e))), .decimalExponent)
        default:
            return nil
        }
    }

    /// digits × 10^power as an integer, rounding a dropped non-zero remainder away from zero.
    /// Nil when the result does not fit in 128 bits.
    static func nanos(digits: [UInt8], powerOfTen power: Int) -> Int128? {
        if power >= 0 {
            guard var value = integer(digits) else { return nil }
            if value == 0 { return 0 }
            for _ in 0..<power {
                let (next, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = next
            }
            return value
        }
        let drop = -power
        let kept = digits.count > drop ? Array(digits[..<(digits.count - drop)]) : []
        let dropped = digits.suffix(min(drop, digits.count))
        guard let value = integer(kept) else { return nil }
        let roundUp = dropped.contains { $0 != UInt8(ascii: "0") }
        return roundUp ? value + 1 : value
    }

    /// A run of ASCII digits as an integer; empty is zero; nil on overflow.
    static func integer(_ digits: [UInt8]) -> Int128? {
        var value: Int128 = 0
        for d in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int128(d - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = next
        }
        return value
    }
}
