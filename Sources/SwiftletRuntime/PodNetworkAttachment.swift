import SwiftletCNI
import SwiftletKube

/// What a pod's network was set up with, kept in its run directory (`network/attachment.json`):
/// the configuration list and call parameters ADD used, and its result once ADD succeeded. CHECK
/// and DEL run from this record, never from whatever the configuration directory holds later.
struct PodNetworkAttachment: Codable, Sendable {
    var config: JSONValue
    var runtime: CNIRuntimeConf
    /// Nil until ADD succeeded: a sandbox without it has no network yet (or lost it) and is not ready.
    var result: JSONValue?
}

/// The CNI parameters the kubelet and containerd give every pod.
enum PodNetworkParameters {
    /// containerd's CNI_ARGS for a pod sandbox.
    static func args(pod: Pod, containerID: String) -> [(String, String)] {
        [
            ("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", pod.namespace), ("K8S_POD_NAME", pod.name),
            ("K8S_POD_INFRA_CONTAINER_ID", containerID), ("K8S_POD_UID", pod.uid),
        ]
    }

    /// `runtimeConfig` capability arguments: `portMappings` from the regular containers' ports
    /// with a hostPort (protocol lower-cased as containerd passes it), `bandwidth` from the
    /// `kubernetes.io/{ingress,egress}-bandwidth` annotations (bits per second).
    static func capabilityArgs(pod: Pod) throws(RuntimeError) -> [String: JSONValue] {
        var caps: [String: JSONValue] = [:]
        var mappings: [JSONValue] = []
        for container in pod.spec.containers {
            for port in container.ports ?? [] {
                guard let hostPort = port.hostPort, hostPort > 0 else { continue }
                var entry: [String: JSONValue] = [
                    "hostPort": .int(Int64(hostPort)), "containerPort": .int(Int64(port.containerPort)),
                    "protocol": .string((port.protocol ?? "TCP").lowercased()),
                ]
                if let ip = port.hostIP, !ip.isEmpty { entry["hostIP"] = .string(ip) }
                mappings.append(.object(entry))
            }
        }
        if !mappings.isEmpty { caps["portMappings"] = .array(mappings) }
        var bandwidth: [String: JSONValue] = [:]
        for (direction, key) in [("ingress", "kubernetes.io/ingress-bandwidth"), ("egress", "kubernetes.io/egress-bandwidth")] {
            guard let text = pod.metadata.annotations?[key] else { continue }
            let rate = try bandwidthRate(text, key: key)
            bandwidth[direction + "Rate"] = .int(rate)
            // containerd passes no burst size of its own: the largest the plugin accepts.
            bandwidth[direction + "Burst"] = .int(Int64(UInt32.max))
        }
        if !bandwidth.isEmpty { caps["bandwidth"] = .object(bandwidth) }
        return caps
    }

    /// The kubelet's `ExtractPodBandwidthResources` limits: between 1k and 1P bits per second.
    static func bandwidthRate(_ text: String, key: String) throws(RuntimeError) -> Int64 {
        let quantity: Quantity
        do { quantity = try Quantity(parsing: text) } catch {
            throw RuntimeError("CreatePodSandboxError", "failed to parse annotation \(key)=\(text): \(error)")
        }
        let value = quantity.value
        if value < 1000 {
            throw RuntimeError("CreatePodSandboxError", "resource is unreasonably small (< 1kbit): \(key)=\(text)")
        }
        if value > 1_000_000_000_000_000 {
            throw RuntimeError("CreatePodSandboxError", "resource is unreasonably large (> 1Pbit): \(key)=\(text)")
        }
        return value
    }
}
