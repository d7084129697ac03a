import Foundation
import SwiftletKube

/// A CNI network configuration list (`.conflist`), or a single-plugin `.conf` file turned into
/// one the way libcni's `ConfListFromConf` does. Plugin objects are kept as JSON because each
/// plugin defines its own keys; only what the runtime needs is read out.
public struct NetworkConfigList: Hashable, Sendable {
    public var name: String
    /// Empty when the file gives none (libcni then treats the list as the oldest version, 0.1.0).
    public var cniVersion: String
    public var disableCheck: Bool
    public var plugins: [PluginConfig]
    /// The file it was read from (for messages).
    public var source: String

    public struct PluginConfig: Hashable, Sendable {
        public var type: String
        /// The plugin's object exactly as written (name and cniVersion are injected per call).
        public var object: [String: JSONValue]

        /// Capabilities the plugin declares (`"capabilities": {"portMappings": true}`); only those
        /// get the runtime's matching `runtimeConfig` entries.
        public var capabilities: Set<String> {
            guard case .object(let caps)? = object["capabilities"] else { return [] }
            return Set(caps.compactMap { key, value in value == .bool(true) ? key : nil })
        }
    }

    public init(name: String, cniVersion: String, disableCheck: Bool = false, plugins: [PluginConfig], source: String = "") {
        self.name = name
        self.cniVersion = cniVersion
        self.disableCheck = disableCheck
        self.plugins = plugins
        self.source = source
    }

    /// Parses a `.conflist` (`isList`) or a single-plugin `.conf` / `.json`, with libcni's messages.
    public static func parse(_ data: Data, isList: Bool, source: String = "") throws(CNIError) -> NetworkConfigList {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            throw CNIError(code: CNIError.Code.decodingFailure, msg: "error parsing \(source): \(error)")
        }
        guard case .object(let top) = tree else {
            throw CNIError(code: CNIError.Code.decodingFailure, msg: "error parsing \(source): expected a JSON object")
        }
        if !isList {
            let plugin = try PluginConfig(object: top, source: source)
            guard case .string(let name)? = top["name"], !name.isEmpty else {
                throw invalid("error parsing configuration: missing 'name'", source)
            }
            return NetworkConfigList(
                name: name, cniVersion: top["cniVersion"]?.stringValue ?? "", plugins: [plugin], source: source)
        }
        guard case .string(let name)? = top["name"], !name.isEmpty else {
            throw invalid("error parsing configuration list: no name", source)
        }
        var version = ""
        if let v = top["cniVersion"] {
            guard case .string(let s) = v else { throw invalid("error parsing configuration list: invalid cniVersion type", source) }
            version = s
        }
        var disableCheck = false
        switch top["disableCheck"] {
        case .bool(let b)?: disableCheck = b
        case .string(let s)?: disableCheck = s.lowercased() == "true"
        default: break
        }
        guard case .array(let items)? = top["plugins"] else {
            throw invalid("error parsing configuration list: no 'plugins' key", source)
        }
        guard !items.isEmpty else { throw invalid("error parsing configuration list: no plugins in list", source) }
        var plugins: [PluginConfig] = []
        for (i, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw invalid("error parsing configuration list: plugins[\(i)] is not an object", source)
            }
            plugins.append(try PluginConfig(object: object, source: source))
        }
        return NetworkConfigList(name: name, cniVersion: version, disableCheck: disableCheck, plugins: plugins, source: source)
    }

    static func invalid(_ message: String, _ source: String) -> CNIError {
        CNIError(code: CNIError.Code.invalidNetworkConfig, msg: source.isEmpty ? message : "\(source): \(message)")
    }

    /// The list as a `.conflist` document: what is cached with a pod so DEL runs with the
    /// configuration ADD used, whatever the configuration directory holds by then.
    public var json: JSONValue {
        var top: [String: JSONValue] = ["name": .string(name), "plugins": .array(plugins.map { .object($0.object) })]
        if !cniVersion.isEmpty { top["cniVersion"] = .string(cniVersion) }
        if disableCheck { top["disableCheck"] = .bool(true) }
        return .object(top)
    }

    /// The configuration a plugin gets on stdin (libcni's `buildOneConfig`): the plugin's object
    /// with the list's `name` and `cniVersion`, the previous plugin's result as `prevResult`, and
    /// `runtimeConfig` holding the capability arguments the plugin declares.
    public func pluginInput(_ index: Int, prevResult: JSONValue?, capabilityArgs: [String: JSONValue]) -> JSONValue {
        var object = plugins[index].object
        object["name"] = .string(name)
        object["cniVersion"] = .string(cniVersion)
        if let prevResult { object["prevResult"] = prevResult } else { object["prevResult"] = nil }
        var runtimeConfig: [String: JSONValue] = [:]
        for capability in plugins[index].capabilities {
            if let value = capabilityArgs[capability] { runtimeConfig[capability] = value }
        }
        if !runtimeConfig.isEmpty { object["runtimeConfig"] = .object(runtimeConfig) }
        return .object(object)
    }

    /// CHECK exists from 0.4.0 on, and DEL gets the cached result as `prevResult` from then on too.
    public var supportsCheck: Bool { CNIVersion.compare(cniVersion, "0.4.0") >= 0 }
}

extension NetworkConfigList.PluginConfig {
    init(object: [String: JSONValue], source: String) throws(CNIError) {
        guard case .string(let type)? = object["type"], !type.isEmpty else {
            throw NetworkConfigList.invalid("error parsing configuration: missing 'type'", source)
        }
        // A plugin type names a file in the binary directories; it must not walk out of them.
        guard !type.contains("/"), type != ".", type != ".." else {
            throw NetworkConfigList.invalid("invalid plugin type \"\(type)\"", source)
        }
        self.type = type
        self.object = object
    }
}

/// Dotted version numbers as CNI uses them ("0.4.0", "1.0.0"); missing parts count as 0 and an
/// empty version is the oldest (0.1.0), as in libcni.
public enum CNIVersion {
    public static func compare(_ a: String, _ b: String) -> Int {
        func parts(_ s: String) -> [Int] {
            let text = s.isEmpty ? "0.1.0" : s
            return text.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        }
        let x = parts(a), y = parts(b)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0, r = i < y.count ? y[i] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}
