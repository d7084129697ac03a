import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletSystem

/// The pod's names and resolver files: `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf`
/// in its run directory, bind-mounted into every container (the kubelet's managed files).
extension PodRuntime {
    /// The host's own name, which host-network pods share.
    static func nodeHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func hostIdentity(_ pod: Pod) throws(RuntimeError) -> PodHostIdentity {
        do { return try PodHostIdentity.of(pod, clusterDomain: configuration.clusterDomain) } catch {
            throw RuntimeError("CreatePodSandboxError", "failed to create pod sandbox: \(error)")
        }
    }

    /// The kernel hostname of the pod (UTS namespace, /etc/hostname, $HOSTNAME).
    func podHostname(_ pod: Pod) throws(RuntimeError) -> String {
        pod.spec.hostNetwork == true ? Self.nodeHostname() : try hostIdentity(pod).kernelHostname
    }

    /// `podHostname` for places that run after the sandbox exists (its checks already passed).
    func hostname(of pod: Pod) -> String {
        (try? podHostname(pod)) ?? String(pod.name.prefix(63))
    }

    /// The kubelet's managed /etc/hosts. A host-network pod gets the host's file under the
    /// kubelet's header. Without a pod IP (no CNI configuration) the hostname maps to 127.0.0.1,
    /// so it still resolves; the kubelet would not manage the file at all then.
    func writeHostsFile(pod: Pod, podIPs: [String]) throws {
        let text: String
        if pod.spec.hostNetwork == true {
            let host = ((try? FileIO.readString("/etc/hosts")) ?? nil) ?? ""
            text = PodHostIdentity.hostNetworkHostsFile(hostFile: host, hostAliases: pod.spec.hostAliases)
        } else {
            let identity = try hostIdentity(pod)
            text = identity.hostsFile(podIPs: podIPs.isEmpty ? ["127.0.0.1"] : podIPs, hostAliases: pod.spec.hostAliases)
        }
        try FileIO.writeAtomically(runDirectory(uid: pod.uid).hostsFile, text)
    }

    /// /etc/resolv.conf from `dnsPolicy` and `dnsConfig`; returns the warnings the kubelet turns
    /// into pod events. An empty configuration copies the host's file, as containerd does.
    func writeResolvConf(pod: Pod) throws -> [PodResolvConf.Warning] {
        let hostText = configuration.resolvConf.flatMap { path in (try? FileIO.readString(path)) ?? nil }
        let node = NodeDNSSettings(
            clusterDNS: configuration.clusterDNS, clusterDomain: configuration.clusterDomain,
            hostResolvConf: configuration.resolvConf == nil ? nil : (hostText ?? ""))
        let conf = PodResolvConf.compose(pod: pod, node: node)
        try FileIO.writeAtomically(runDirectory(uid: pod.uid).resolvConfFile, conf.fileContent ?? hostText ?? "")
        return conf.warnings
    }
}
