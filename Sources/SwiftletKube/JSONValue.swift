import Foundation

/// A JSON document as a tree: the common form YAML and JSON manifests are converted to
/// before the Codable types decode them, and the form field-level checks can walk.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses JSON text. Integers that fit in 64 bits stay integers.
    public static func parse(_ data: Data) throws(SyntaxError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let cause = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw SyntaxError(message: "invalid JSON: " + (cause ?? context.debugDescription))
        } catch {
            throw SyntaxError(message: "invalid JSON: \(error)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The JSON type name used in type-mismatch messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The string value, or nil for every other type.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// One step of a path into the tree.
    public enum PathElement: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public func value(at path: [PathElement]) -> JSONValue? {
        var node = self
        for element in path {
            switch (element, node) {
            case (.key(let k), .object(let o)):
                guard let next = o[k] else { return nil }
                node = next
            case (.index(let i), .array(let a)):
                guard a.indices.contains(i) else { return nil }
                node = a[i]
            default:
                return nil
            }
        }
        return node
    }

    /// Removes the value at `path`; returns whether something was removed.
    @discardableResult
    public mutating func removeValue(at path: [PathElement]) -> Bool {
        guard let first = path.first else { return false }
        let rest = Array(path.dropFirst())
        switch (first, self) {
        case (.key(let k), .object(var o)):
            if rest.isEmpty {
                guard o.removeValue(forKey: k) != nil else { return false }
            } else {
                guard var child = o[k], child.removeValue(at: rest) else { return false }
                o[k] = child
            }
            self = .object(o)
            return true
        case (.index(let i), .array(var a)):
            guard a.indices.contains(i) else { return false }
            if rest.isEmpty {
                // Keep indices stable for later error paths: null out instead of shifting.
                a[i] = .null
            } else {
                guard a[i].removeValue(at: rest) else { return false }
            }
            self = .array(a)
            return true
        default:
            return false
        }
    }

    /// Renders a path the way API field errors name fields: `spec.containers[0].image`.
    public static func fieldPath(_ path: [PathElement]) -> String {
        var out = ""
        for element in path {
            switch element {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// Compact rendering for messages: strings quoted, containers abbreviated.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return goQuoted(s)
        case .array: return "array"
        case .object: return "object"
        }
    }
}
