import SwiftletKube

/// The scheduler's NodePorts filter, which the kubelet re-runs at admission (`GeneralPredicates`):
/// a pod whose hostPort (same protocol, overlapping host IP) is already used by an admitted pod
/// does not fit the node.
public func admitHostPorts(pod: Pod, running: [Pod]) -> (admitted: Bool, reason: String?, message: String?) {
    let used = running.filter { $0.uid != pod.uid }.flatMap(HostPortUse.of)
    for wanted in HostPortUse.of(pod) where used.contains(where: wanted.conflicts) {
        return (
            false, "NodePorts",
            "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"
        )
    }
    return (true, nil, nil)
}

/// One `hostIP:hostPort/protocol` a pod claims on the node.
struct HostPortUse: Hashable {
    var ip: String
    var port: Int32
    var proto: String

    /// Ports of the regular containers and sidecars that ask for a hostPort (host-network pods get
    /// hostPort = containerPort by defaulting).
    static func of(_ pod: Pod) -> [HostPortUse] {
        let containers = pod.spec.containers + (pod.spec.initContainers ?? []).filter(\.isRestartableInit)
        return containers.flatMap { $0.ports ?? [] }.compactMap { port in
            guard let hostPort = port.hostPort, hostPort > 0 else { return nil }
            let ip = port.hostIP.flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
            return HostPortUse(ip: ip, port: hostPort, proto: port.protocol.flatMap { $0.isEmpty ? nil : $0 } ?? "TCP")
        }
    }

    /// The same port and protocol conflict when either side listens on every address or both on the same one.
    func conflicts(with other: HostPortUse) -> Bool {
        port == other.port && proto == other.proto && (ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0")
    }
}
