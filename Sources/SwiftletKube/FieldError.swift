/// One validation failure on one field, the Swift form of apimachinery's `field.Error`.
///
/// `description` reproduces `field.Error.Error()` byte for byte, so messages match what
/// `kubectl` users see from an API server: `<field>: <type>[: <value>][: <detail>]`.
public struct FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A rejected value as the API server prints it: strings quoted (Go `%q`), numbers and booleans bare.
    public enum Value: Hashable, Sendable, CustomStringConvertible {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
        /// A structured value (a struct, a list), which apimachinery prints as its JSON.
        case json(String)

        public var description: String {
            switch self {
            case .string(let s): return goQuoted(s)
            case .int(let i): return String(i)
            case .bool(let b): return b ? "true" : "false"
            case .null: return "null"
            case .json(let text): return text
            }
        }
    }

    public enum Kind: Hashable, Sendable {
        case required
        case invalid(Value)
        case duplicate(Value)
        case notSupported(Value, supported: [String])
        case forbidden
        /// The value is longer than `maxLength` bytes; the API server omits the value itself.
        case tooLong(maxLength: Int)
        case tooMany(actual: Int, max: Int)
        case notFound(Value)
        /// The JSON/YAML type does not match the field's type (a decoding failure, not a validation one).
        case typeInvalid(expected: String, actual: String)
        case `internal`

        /// `field.ErrorType.String()`.
        public var typeString: String {
            switch self {
            case .required: return "Required value"
            case .invalid: return "Invalid value"
            case .duplicate: return "Duplicate value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .notFound: return "Not found"
            case .typeInvalid: return "Invalid type"
            case .internal: return "Internal error"
            }
        }
    }

    public var kind: Kind
    /// JSON path of the field in API form, e.g. `spec.containers[0].name`.
    public var field: String
    /// Human explanation appended after the value; empty for none.
    public var detail: String

    public init(_ kind: Kind, field: String, detail: String = "") {
        self.kind = kind
        self.field = field
        self.detail = detail
    }

    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(.required, field: field, detail: detail)
    }
    public static func invalid(_ field: String, _ value: Value, _ detail: String) -> FieldError {
        FieldError(.invalid(value), field: field, detail: detail)
    }
    public static func duplicate(_ field: String, _ value: Value) -> FieldError {
        FieldError(.duplicate(value), field: field)
    }
    public static func notSupported(_ field: String, _ value: Value, supported: [String]) -> FieldError {
        FieldError(.notSupported(value, supported: supported), field: field)
    }
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(.forbidden, field: field, detail: detail)
    }
    public static func tooLong(_ field: String, maxLength: Int) -> FieldError {
        FieldError(.tooLong(maxLength: maxLength), field: field)
    }

    /// `field.Error.ErrorBody()`: everything after `<field>: `.
    public var body: String {
        var s = kind.typeString
        var detail = self.detail
        switch kind {
        case .required, .forbidden, .internal:
            break
        case .invalid(let v), .duplicate(let v), .notFound(let v):
            s += ": \(v)"
        case .notSupported(let v, let supported):
            s += ": \(v)"
            if !supported.isEmpty {
                let list = "supported values: " + supported.map(goQuoted).joined(separator: ", ")
                detail = detail.isEmpty ? list : list + ": " + detail
            }
        case .tooLong(let max):
            // apimachinery's field.TooLong detail wording.
            let bytes = max == 1 ? "byte" : "bytes"
            let limit = max >= 0 ? "may not be more than \(max) \(bytes)" : "value is too long"
            detail = detail.isEmpty ? limit : limit + ": " + detail
        case .tooMany(let actual, let max):
            s += ": \(actual)"
            let limit = "must have at most \(max) items"
            detail = detail.isEmpty ? limit : limit + ": " + detail
        case .typeInvalid(let expected, let actual):
            s += ": expected \(expected), got \(actual)"
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    public var description: String { "\(field): \(body)" }
}

/// Go's `strconv.Quote` for the characters manifests realistically contain.
public func goQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
