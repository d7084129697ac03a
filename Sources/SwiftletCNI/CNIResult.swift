import SwiftletKube

/// A plugin's ADD result. Spec 0.3.0 and later (0.4.0, 1.0.0, 1.1.0) report `interfaces` and
/// `ips` (0.3.x/0.4.0 with a `version` per IP, 1.0.0 without); 0.1.0/0.2.0 report `ip4`/`ip6`.
public struct CNIResult: Hashable, Sendable {
    public struct Interface: Hashable, Sendable {
        public var name: String
        public var mac: String?
        /// The netns path for interfaces inside the container; nil for host-side ones.
        public var sandbox: String?
    }

    public struct IPConfig: Hashable, Sendable {
        /// CIDR notation, `10.22.0.5/24`.
        public var address: String
        public var gateway: String?
        /// Index into `interfaces`.
        public var interface: Int?

        /// The address without its prefix length.
        public var ip: String { String(address.split(separator: "/", maxSplits: 1).first ?? "") }
        public var isIPv6: Bool { ip.contains(":") }
    }

    public var cniVersion: String
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    /// The result as the plugin printed it: handed on as `prevResult` and cached for CHECK and DEL.
    public var json: JSONValue

    public init(parsing json: JSONValue) throws(CNIError) {
        guard case .object(let top) = json else {
            throw CNIError(code: CNIError.Code.decodingFailure, msg: "invalid result: expected a JSON object")
        }
        self.json = json
        cniVersion = top["cniVersion"]?.stringValue ?? ""
        interfaces = []
        ips = []
        if top["ip4"] != nil || top["ip6"] != nil {
            // 0.1.0 / 0.2.0: one address per family, no interfaces.
            for key in ["ip4", "ip6"] {
                guard let address = top[key]?["ip"]?.stringValue else { continue }
                ips.append(IPConfig(address: address, gateway: top[key]?["gateway"]?.stringValue, interface: nil))
            }
            return
        }
        if case .array(let list)? = top["interfaces"] {
            for item in list {
                guard let name = item["name"]?.stringValue else {
                    throw CNIError(code: CNIError.Code.decodingFailure, msg: "invalid result: interface without a name")
                }
                interfaces.append(Interface(name: name, mac: item["mac"]?.stringValue, sandbox: item["sandbox"]?.stringValue))
            }
        }
        if case .array(let list)? = top["ips"] {
            for item in list {
                guard let address = item["address"]?.stringValue else {
                    throw CNIError(code: CNIError.Code.decodingFailure, msg: "invalid result: ip without an address")
                }
                var index: Int?
                if case .int(let i)? = item["interface"] { index = Int(i) }
                ips.append(IPConfig(address: address, gateway: item["gateway"]?.stringValue, interface: index))
            }
        }
    }

    /// The pod's IPs as the kubelet reports them: the addresses of the pod's interface `ifName`
    /// (all addresses when the result names no interfaces), then at most one per family, the
    /// node's family (IPv4 here) first — containerd's `selectPodIPs` and the kubelet's `sortPodIPs`.
    public func podIPs(interface ifName: String, preferIPv6: Bool = false) -> [String] {
        let indices = Set(interfaces.indices.filter { interfaces[$0].name == ifName })
        var mine = ips.filter { ip in ip.interface.map { indices.contains($0) } ?? false }
        if mine.isEmpty { mine = ips }
        let first = mine.first { $0.isIPv6 == preferIPv6 }
        let second = mine.first { $0.isIPv6 != preferIPv6 }
        return [first, second].compactMap { $0?.ip }
    }
}
