import Foundation
import SwiftletKube
import Yams

/// Converts YAML documents to JSON trees using the YAML 1.2 core schema.
///
/// Only `true`/`false` (any case style) are booleans, so `on`, `yes`, `no` stay the strings
/// the user wrote (YAML 1.1, which the kubelet's go-yaml v2 uses, turns them into booleans).
/// Numbers stay numbers: `image: 1.0` is a type error naming the field, as on Kubernetes.
/// A plain integer with a leading zero is octal, as in YAML 1.1: Kubernetes manifests write file modes
/// that way (`defaultMode: 0644` is 420 on Kubernetes; read as decimal 644 it would be refused).
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
            return ([], DocumentError(document: 1, message: Self.shortened("\(error)")))
        }
        while true {
            do {
                guard let node = try parser.nextRoot() else { return (trees, nil) }
                var budget = maxNodes
                trees.append(try convert(node, depth: 0, budget: &budget))
            } catch let error as DocumentError {
                return (trees, DocumentError(document: trees.count + 1, message: error.message))
            } catch {
                return (trees, DocumentError(document: trees.count + 1, message: Self.shortened("\(error)")))
            }
        }
    }

    /// A Kubernetes object is a few levels deep and a few thousand values big; these bounds stop
    /// alias bombs ("billion laughs") and pathological nesting before they cost memory or stack.
    static let maxNodes = 1_000_000
    static let maxDepth = 64

    static func convert(_ node: Yams.Node, depth: Int, budget: inout Int) throws(DocumentError) -> JSONValue {
        budget -= 1
        guard budget >= 0 else {
            throw DocumentError(document: 0, message: "document expands to more than \(maxNodes) values (YAML aliases?)")
        }
        guard depth < maxDepth else {
            throw DocumentError(document: 0, message: "document nests deeper than \(maxDepth) levels (line \(lineOf(node)))")
        }
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar.string, tag: Tag.Name(rawValue: node.tag.rawValue))
        case .sequence(let sequence):
            var out: [JSONValue] = []
            for item in sequence { out.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return .array(out)
        case .mapping(let mapping):
            var out: [String: JSONValue] = [:]
            var merged: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw DocumentError(document: 0, message: "mapping keys must be scalars (line \(lineOf(key)))")
                }
                if keyScalar.string == "<<", keyScalar.style == .plain {
                    try merge(value, into: &merged, depth: depth + 1, budget: &budget)
                    continue
                }
                // JSON keys are strings: `80: x` becomes "80", as sigs.k8s.io/yaml converts it.
                out[keyScalar.string] = try convert(value, depth: depth + 1, budget: &budget)
            }
            // Explicit keys win over merged ones.
            return .object(merged.merging(out) { _, explicit in explicit })
        case .alias:
            throw DocumentError(document: 0, message: "unresolved alias (line \(lineOf(node)))")
        }
    }

    static func merge(
        _ node: Yams.Node, into merged: inout [String: JSONValue], depth: Int, budget: inout Int
    ) throws(DocumentError) {
        switch try convert(node, depth: depth, budget: &budget) {
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
        if s.count > 1, s.hasPrefix("0"), let octal = Int64(s.dropFirst(), radix: 8) { return octal }
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

    /// libyaml quotes the offending line; a hostile one-line document must not become a megabyte error.
    static func shortened(_ message: String, limit: Int = 400) -> String {
        message.count <= limit ? message : String(message.prefix(limit)) + "…"
    }
}
