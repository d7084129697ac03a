import Foundation
import SwiftletKube
import Yams

/// Converts YAML documents to JSON trees using the YAML 1.2 core schema.
///
/// Only `true`/`false` (any case style) are booleans, so `on`, `yes`, `no` stay the strings
/// the user wrote (YAML 1.1, which the kubelet's go-yaml v2 uses, turns them into booleans).
/// Numbers stay numbers: `image: 1.0` is a type error naming the field, as on Kubernetes.
/// Quoted scalars and `!!str` are always strings; `<<` merge keys are honoured.
enum YAMLTree {
    struct DocumentError: Error, Sendable {
        /// 1-based position of the failing document in the stream.
        var document: Int
        var message: String
    }

    static let coreResolver: Resolver = {
        let rules: [(Tag.Name, String)] = [
            (.null, "^(?:~|null|Null|NULL|)$"),
            (.bool, "^(?:true|True|TRUE|false|False|FALSE)$"),
            (.int, "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
            (.float,
             "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"),
        ]
        var resolver = Resolver.basic
        for (tag, pattern) in rules {
            // Constant patterns: a failure here is a programming error caught by the tests.
            if let next = try? resolver.appending(tag, pattern) { resolver = next }
        }
        return resolver
    }()

    /// Every document of the stream, in order; empty documents are `.null`. Documents before a
    /// syntax error are returned together with the error so the caller can report both.
    static func documents(_ text: String) -> (trees: [JSONValue], error: DocumentError?) {
        var trees: [JSONValue] = []
        let parser: Parser
        do {
            parser = try Parser(yaml: text, resolver: coreResolver)
        } catch {
            return ([], DocumentError(document: 1, message: "\(error)"))
        }
        while true {
            do {
                guard let node = try parser.nextRoot() else { return (trees, nil) }
                trees.append(try convert(node))
            } catch let error as DocumentError {
                return (trees, DocumentError(document: trees.count + 1, message: error.message))
            } catch {
                return (trees, DocumentError(document: trees.count + 1, message: "\(error)"))
            }
        }
    }

    static func convert(_ node: Yams.Node) throws(DocumentError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar.string, tag: Tag.Name(rawValue: node.tag.rawValue))
        case .sequence(let sequence):
            var out: [JSONValue] = []
            for item in sequence { out.append(try convert(item)) }
            return .array(out)
        case .mapping(let mapping):
            var out: [String: JSONValue] = [:]
            var merged: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw DocumentError(document: 0, message: "mapping keys must be scalars (line \(lineOf(key)))")
                }
                if keyScalar.string == "<<", keyScalar.style == .plain {
                    try merge(value, into: &merged)
                    continue
                }
                // JSON keys are strings: `80: x` becomes "80", as sigs.k8s.io/yaml converts it.
                out[keyScalar.string] = try convert(value)
            }
            // Explicit keys win over merged ones.
            return .object(merged.merging(out) { _, explicit in explicit })
        case .alias:
            throw DocumentError(document: 0, message: "unresolved alias (line \(lineOf(node)))")
        }
    }

    static func merge(_ node: Yams.Node, into merged: inout [String: JSONValue]) throws(DocumentError) {
        switch try convert(node) {
        case .object(let o):
            for (k, v) in o where merged[k] == nil { merged[k] = v }
        case .array(let items):
            // Earlier maps in a merge list take precedence.
            for item in items {
                guard case .object(let o) = item else {
                    throw DocumentError(document: 0, message: "merge key value must be a mapping or list of mappings")
                }
                for (k, v) in o where merged[k] == nil { merged[k] = v }
            }
        default:
            throw DocumentError(document: 0, message: "merge key value must be a mapping or list of mappings")
        }
    }

    static func scalarValue(_ s: String, tag: Tag.Name) -> JSONValue {
        switch tag {
        case .null:
            return .null
        case .bool:
            return .bool(s.lowercased() == "true")
        case .int:
            return intValue(s).map(JSONValue.int) ?? (Double(s).map(JSONValue.double) ?? .string(s))
        case .float:
            // JSON has no infinities or NaN; leave them as text so the typed decode names the field.
            guard let d = floatValue(s), d.isFinite else { return .string(s) }
            return .double(d)
        default:
            return .string(s)
        }
    }

    static func intValue(_ s: String) -> Int64? {
        if s.hasPrefix("0o") { return Int64(s.dropFirst(2), radix: 8) }
        if s.hasPrefix("0x") { return Int64(s.dropFirst(2), radix: 16) }
        return Int64(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }

    static func floatValue(_ s: String) -> Double? {
        switch s.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            // Swift's parser rejects a trailing dot ("1.") that YAML allows.
            return Double(s) ?? Double(s + "0")
        }
    }

    static func lineOf(_ node: Yams.Node) -> Int { node.mark?.line ?? 0 }
}
