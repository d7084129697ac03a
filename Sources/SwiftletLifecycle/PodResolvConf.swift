import Foundation
import SwiftletKube

/// The node's DNS settings (the kubelet's `--cluster-dns`, `--cluster-domain`, `--resolv-conf`).
public struct NodeDNSSettings: Hashable, Sendable {
    public var clusterDNS: [String]
    public var clusterDomain: String
    /// Content of the host's resolv.conf (`--resolv-conf`); nil when that flag is empty.
    public var hostResolvConf: String?
    /// The node's IPs, for the `--resolv-conf ""` fallback (localhost of the node's family).
    public var nodeIPs: [String]

    public init(clusterDNS: [String] = [], clusterDomain: String = "", hostResolvConf: String?, nodeIPs: [String] = []) {
        self.clusterDNS = clusterDNS
        self.clusterDomain = clusterDomain
        self.hostResolvConf = hostResolvConf
        self.nodeIPs = nodeIPs
    }
}

/// The pod's resolver configuration, as the kubelet composes it (`pkg/kubelet/network/dns`)
/// and containerd writes it, plus the warning events the kubelet records on the way.
public struct PodResolvConf: Hashable, Sendable {
    public var servers: [String]
    public var searches: [String]
    public var options: [String]
    /// (reason, message) pairs for pod events: `MissingClusterDNS`, `DNSConfigForming`.
    public var warnings: [Warning]

    public struct Warning: Hashable, Sendable {
        public var reason: String
        public var message: String
    }

    /// `GetPodDNS`: the policy's base (host resolv.conf, cluster DNS, or nothing for `None`), then
    /// `dnsConfig` appended (duplicates dropped, options overriding by name), then the limits.
    public static func compose(pod: Pod, node: NodeDNSSettings) -> PodResolvConf {
        let host = parse(node.hostResolvConf ?? "")
        var conf = PodResolvConf(servers: host.servers, searches: host.searches, options: host.options, warnings: [])
        switch podDNSType(pod) {
        case .none:
            conf.servers = []
            conf.searches = []
            conf.options = []
        case .cluster where !node.clusterDNS.isEmpty:
            // The cluster DNS server is the only nameserver; it forwards what it cannot answer.
            conf.servers = node.clusterDNS
            conf.searches = clusterSearches(host.searches, pod: pod, clusterDomain: node.clusterDomain)
            conf.options = ["ndots:5"]
        case .cluster, .host:
            if podDNSType(pod) == .cluster {
                let message = "kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. "
                    + "Falling back to \"Default\" policy."
                conf.warnings.append(Warning(
                    reason: "MissingClusterDNS", message: "pod: \"\(pod.name)_\(pod.namespace)(\(pod.uid))\". \(message)"))
            }
            if node.hostResolvConf == nil {
                // `--resolv-conf ""`: the local machine's resolver, as bind documents an empty list.
                conf.servers = node.nodeIPs.map { $0.contains(":") ? "::1" : "127.0.0.1" }
                if conf.servers.isEmpty { conf.servers = ["127.0.0.1"] }
                conf.searches = ["."]
            }
        }
        if let extra = pod.spec.dnsConfig {
            conf.servers = omitDuplicates(conf.servers + (extra.nameservers ?? []))
            conf.searches = omitDuplicates(conf.searches + (extra.searches ?? []))
            conf.options = mergeOptions(conf.options, extra.options ?? [])
        }
        conf.fitLimits()
        return conf
    }

    enum DNSType { case cluster, host, none }

    /// `getPodDNSType`: ClusterFirst on the host network behaves like Default.
    static func podDNSType(_ pod: Pod) -> DNSType {
        switch pod.spec.dnsPolicy ?? "ClusterFirst" {
        case "None": return .none
        case "ClusterFirstWithHostNet": return .cluster
        case "Default": return .host
        default: return pod.spec.hostNetwork == true ? .host : .cluster
        }
    }

    static func clusterSearches(_ hostSearches: [String], pod: Pod, clusterDomain: String) -> [String] {
        guard !clusterDomain.isEmpty else { return hostSearches }
        let own = ["\(pod.namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain]
        return omitDuplicates(own + hostSearches)
    }

    /// `parseResolvConf`: nameservers accumulate, the last `search` line wins (trailing dots
    /// dropped, "." ignored), options accumulate with a later option of the same name replacing
    /// an earlier one.
    public static func parse(_ text: String) -> (servers: [String], searches: [String], options: [String]) {
        var servers: [String] = [], searches: [String] = [], options: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let key = fields.first else { continue }
            switch key {
            case "nameserver" where fields.count >= 2: servers.append(fields[1])
            case "search":
                searches = fields.dropFirst().filter { $0 != "." }.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options": options = appendOptions(options, Array(fields.dropFirst()))
            default: break
            }
        }
        return (servers, searches, options)
    }

    /// Options keyed by name (the part before `:`); a later one replaces an earlier one in place.
    /// (The kubelet goes through a Go map, so its order is random; ours keeps first appearance.)
    static func appendOptions(_ options: [String], _ more: [String]) -> [String] {
        var result = options
        for option in more {
            let name = option.split(separator: ":", maxSplits: 1).first.map(String.init) ?? option
            if let i = result.firstIndex(where: { ($0.split(separator: ":", maxSplits: 1).first.map(String.init) ?? $0) == name }) {
                result[i] = option
            } else {
                result.append(option)
            }
        }
        return result
    }

    /// `mergeDNSOptions`: dnsConfig options override same-named ones; `name` or `name:value`.
    static func mergeOptions(_ existing: [String], _ extra: [PodDNSConfigOption]) -> [String] {
        appendOptions(existing, extra.compactMap { option in
            guard let name = option.name, !name.isEmpty else { return nil }
            if let value = option.value, !value.isEmpty { return "\(name):\(value)" }
            return name
        })
    }

    static func omitDuplicates(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// `formDNSConfigFitsLimits`: at most 3 nameservers; at most 32 search domains, none longer
    /// than 253 characters, 2048 characters in all; each cut is reported as `DNSConfigForming`.
    mutating func fitLimits() {
        if servers.count > PodSpec.maxDNSNameservers {
            servers = Array(servers.prefix(PodSpec.maxDNSNameservers))
            warnings.append(Warning(
                reason: "DNSConfigForming",
                message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: "
                    + servers.joined(separator: " ")))
        }
        var exceeded = false
        if searches.count > PodSpec.maxDNSSearchPaths {
            searches = Array(searches.prefix(PodSpec.maxDNSSearchPaths))
            exceeded = true
        }
        let kept = searches.filter { $0.utf8.count <= 253 }
        if kept.count != searches.count {
            searches = kept
            exceeded = true
        }
        let length = searches.joined(separator: " ").utf8.count
        if length > PodSpec.maxDNSSearchListChars {
            var cut = 0, cutLength = 0
            for search in searches.reversed() {
                cutLength += search.utf8.count + 1
                cut += 1
                if length - cutLength <= PodSpec.maxDNSSearchListChars { break }
            }
            searches = Array(searches.dropLast(cut))
            exceeded = true
        }
        if exceeded {
            warnings.append(Warning(
                reason: "DNSConfigForming",
                message: "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: "
                    + searches.joined(separator: " ")))
        }
    }

    /// The file, as containerd writes it; nil when the configuration is empty (containerd then
    /// copies the host's resolv.conf).
    public var fileContent: String? {
        var text = ""
        if !searches.isEmpty { text += "search \(searches.joined(separator: " "))\n" }
        if !servers.isEmpty { text += "nameserver \(servers.joined(separator: "\nnameserver "))\n" }
        if !options.isEmpty { text += "options \(options.joined(separator: " "))\n" }
        return text.isEmpty ? nil : text
    }
}
