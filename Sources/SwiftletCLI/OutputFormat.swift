import ArgumentParser
import Foundation
import SwiftletKube
import Yams

/// `-o json|yaml|wide|name`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml, wide, name
}

enum ObjectOutput {
    /// kubectl prints JSON with two-space indentation and a trailing newline.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let data = try KubeJSON.encode(value, pretty: true)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// YAML from the same JSON, so both formats always show the same fields; keys are sorted like kubectl's.
    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let tree = try JSONDecoder().decode(JSONValue.self, from: try KubeJSON.encode(value))
        return try Yams.serialize(node: node(tree), sortKeys: true)
    }

    static func node(_ value: JSONValue) throws -> Yams.Node {
        switch value {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let b): return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Yams.Node(String(i), Tag(.int))
        case .double(let d): return try d.represented()
        case .string(let s): return try s.represented()
        case .array(let items): return Yams.Node(try items.map(node))
        case .object(let members):
            return Yams.Node(try members.sorted { $0.key < $1.key }.map { (Yams.Node($0.key), try node($0.value)) })
        }
    }
}
