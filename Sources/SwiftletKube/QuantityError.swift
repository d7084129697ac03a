/// Why a string is not a `resource.Quantity`; `description` is apimachinery's error text.
public struct QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// `ErrFormatWrong`: the string does not have the shape of a quantity.
        case formatWrong
        /// `ErrNumeric`: the number cannot be held (swiftlet: beyond ±1.7e29 units).
        case numeric
        /// `ErrSuffix`: the shape is right but the suffix is unknown (`1ki`, `5Xi`).
        case suffix
    }

    public static let splitRegex = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    public var reason: Reason
    /// The rejected text, so the caller can name it next to the field.
    public var input: String

    public init(_ reason: Reason, input: String) {
        self.reason = reason
        self.input = input
    }

    public var description: String {
        switch reason {
        case .formatWrong: return "quantities must match the regular expression '\(QuantityError.splitRegex)'"
        case .numeric: return "unable to parse numeric part of quantity"
        case .suffix: return "unable to parse quantity's suffix"
        }
    }
}
