/// `resource.Quantity`: a fixed-point number with a remembered suffix style.
///
/// The value is held exactly as a count of nano-units in 128 bits, which is what the API server
/// keeps too (it rounds anything finer than `1n` away from zero when parsing). That covers every
/// quantity up to about 1.7e29 units, far past the 2^63 the kubelet's int64 accessors can return;
/// larger decimal numbers, which Go's `inf.Dec` would still hold, are rejected as `.numeric`.
///
/// Equality and ordering compare values only (`Quantity.Cmp`): `1Ki` equals `1024`.
public struct Quantity: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// How the value is written back out; chosen by the suffix it was parsed with.
    public enum Format: String, Hashable, Sendable {
        case decimalExponent = "DecimalExponent"
        case binarySI = "BinarySI"
        case decimalSI = "DecimalSI"
    }

    static let nanosPerUnit: Int128 = 1_000_000_000
    static let nanosPerMilli: Int128 = 1_000_000
    /// `maxAllowed`: binary quantities are capped at 2^63-1 units.
    static let maxBinaryNanos = Int128(Int64.max) * nanosPerUnit

    /// The value in units of 10^-9.
    public private(set) var nanos: Int128
    public var format: Format

    public init(nanos: Int128, format: Format = .decimalSI) {
        self.nanos = nanos
        self.format = format
    }

    /// `NewQuantity(value, format)`.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(value) * Quantity.nanosPerUnit, format: format)
    }

    /// `NewMilliQuantity(value, format)`.
    public init(milli: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(milli) * Quantity.nanosPerMilli, format: format)
    }

    public static let zero = Quantity(nanos: 0)

    public var isZero: Bool { nanos == 0 }
    public var sign: Int { nanos == 0 ? 0 : (nanos < 0 ? -1 : 1) }

    /// `Value()`: the value rounded up, away from zero, to a whole unit; saturates at the Int64 range.
    public var value: Int64 { Quantity.scaled(nanos, by: Quantity.nanosPerUnit) }

    /// `MilliValue()`: the value in thousandths, rounded away from zero; saturates at the Int64 range.
    public var milliValue: Int64 { Quantity.scaled(nanos, by: Quantity.nanosPerMilli) }

    static func scaled(_ nanos: Int128, by divisor: Int128) -> Int64 {
        var (q, r) = nanos.quotientAndRemainder(dividingBy: divisor)
        if r > 0 { q += 1 } else if r < 0 { q -= 1 }
        if q > Int128(Int64.max) { return .max }
        if q < Int128(Int64.min) { return .min }
        return Int64(q)
    }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.nanos == b.nanos }
    public static func < (a: Quantity, b: Quantity) -> Bool { a.nanos < b.nanos }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }

    /// `Add`: the receiver keeps its format unless it is zero; the sum saturates instead of wrapping.
    public static func + (a: Quantity, b: Quantity) -> Quantity {
        let (sum, overflow) = a.nanos.addingReportingOverflow(b.nanos)
        let total = overflow ? (b.nanos > 0 ? Int128.max : Int128.min) : sum
        return Quantity(nanos: total, format: a.isZero ? b.format : a.format)
    }

    public static func += (a: inout Quantity, b: Quantity) { a = a + b }

    public static func - (a: Quantity, b: Quantity) -> Quantity {
        a + Quantity(nanos: b.nanos == Int128.min ? Int128.max : -b.nanos, format: b.format)
    }

    public var description: String { canonicalString }
}

extension Quantity: Codable {
    /// Accepts a string or a bare JSON number (`cpu: 1` in YAML), as `UnmarshalJSON` does;
    /// `null` is the zero quantity.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .zero
            return
        }
        let text: String
        if let s = try? c.decode(String.self) {
            text = s.trimmingWhitespace()
        } else if let i = try? c.decode(Int64.self) {
            text = String(i)
        } else if let d = try? c.decode(Double.self), d.isFinite {
            // Swift prints the shortest text that reads back as the same double, which is
            // what the manifest author wrote for any number a quantity plausibly holds.
            text = "\(d)"
        } else {
            throw DecodingError.typeMismatch(
                String.self,
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "expected a quantity"))
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(canonicalString)
    }
}
