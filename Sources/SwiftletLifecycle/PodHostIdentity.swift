import SwiftletKube

/// A pod's names as the kubelet derives them (`GeneratePodHostNameAndDomain`,
/// `GetNodenameForKernel`) and its managed `/etc/hosts` (`managedHostsFileContent`).
public struct PodHostIdentity: Hashable, Sendable {
    /// `spec.hostname` or the pod name, at most 63 characters.
    public var hostname: String
    /// `<subdomain>.<namespace>.svc.<cluster domain>` when `spec.subdomain` is set, else empty.
    public var domain: String
    /// What the pod's UTS namespace, `/etc/hostname` and `$HOSTNAME` say: the FQDN with
    /// `setHostnameAsFQDN: true` (and a domain), else `hostname`.
    public var kernelHostname: String

    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The names of a pod that is not on the host network (those use the host's own name).
    public static func of(_ pod: Pod, clusterDomain: String) throws(Failure) -> PodHostIdentity {
        var hostname = pod.name
        if let h = pod.spec.hostname, !h.isEmpty { hostname = h }
        if hostname.utf8.count > 63 {
            // Cut to 63 characters; a hostname must not end with '-' or '.'.
            var cut = Substring(String(decoding: hostname.utf8.prefix(63), as: UTF8.self))
            while let last = cut.last, last == "-" || last == "." { cut = cut.dropLast() }
            guard !cut.isEmpty else { throw Failure(description: "hostname for pod \"\(pod.name)\" was invalid: \"\(hostname)\"") }
            hostname = String(cut)
        }
        var domain = ""
        if let sub = pod.spec.subdomain, !sub.isEmpty { domain = "\(sub).\(pod.namespace).svc.\(clusterDomain)" }
        var kernel = hostname
        if !domain.isEmpty && pod.spec.setHostnameAsFQDN == true {
            let fqdn = "\(hostname).\(domain)"
            // The kernel's nodename holds 64 characters.
            guard fqdn.utf8.count <= 64 else {
                throw Failure(description:
                    "failed to construct FQDN from pod hostname and cluster domain, FQDN \(fqdn) is too long "
                        + "(64 characters is the max, \(fqdn.utf8.count) characters requested)")
            }
            kernel = fqdn
        }
        return PodHostIdentity(hostname: hostname, domain: domain, kernelHostname: kernel)
    }

    static let managedHeader = "# Kubernetes-managed hosts file.\n"
    static let managedHeaderHostNetwork = "# Kubernetes-managed hosts file (host network).\n"

    /// The kubelet's managed `/etc/hosts` for a pod with its own network: localhost and IPv6
    /// lines, one line per pod IP with the FQDN (when there is a domain) and the hostname, then
    /// the `hostAliases` section.
    public func hostsFile(podIPs: [String], hostAliases: [HostAlias]?) -> String {
        var text = Self.managedHeader
        text += "127.0.0.1\tlocalhost\n"
        text += "::1\tlocalhost ip6-localhost ip6-loopback\n"
        text += "fe00::0\tip6-localnet\n"
        text += "fe00::0\tip6-mcastprefix\n"
        text += "fe00::1\tip6-allnodes\n"
        text += "fe00::2\tip6-allrouters\n"
        for ip in podIPs {
            text += domain.isEmpty ? "\(ip)\t\(hostname)\n" : "\(ip)\t\(hostname).\(domain)\t\(hostname)\n"
        }
        return text + Self.aliasSection(hostAliases)
    }

    /// A host-network pod's `/etc/hosts`: the host's file under the kubelet's header, plus aliases.
    public static func hostNetworkHostsFile(hostFile: String, hostAliases: [HostAlias]?) -> String {
        managedHeaderHostNetwork + hostFile + aliasSection(hostAliases)
    }

    static func aliasSection(_ aliases: [HostAlias]?) -> String {
        guard let aliases, !aliases.isEmpty else { return "" }
        var text = "\n# Entries added by HostAliases.\n"
        for alias in aliases {
            text += "\(alias.ip ?? "")\t\((alias.hostnames ?? []).joined(separator: "\t"))\n"
        }
        return text
    }
}
