import SwiftletKube
import SwiftletLifecycle
import XCTest

/// resolv.conf and /etc/hosts as the kubelet (pkg/kubelet/network/dns, kubelet_pods.go) and
/// containerd produce them for the same spec.
final class PodResolvConfTests: XCTestCase {
    let hostFile = """
        # generated
        nameserver 192.0.2.53
        search first.example
        search corp.example. lab.example .
        nameserver 192.0.2.54
        options ndots:2 timeout:1
        options ndots:3 rotate
        """

    func pod(policy: String?, hostNetwork: Bool = false, dnsConfig: PodDNSConfig? = nil) -> Pod {
        var spec = PodSpec(containers: [Container(name: "c", image: "busybox")])
        spec.dnsPolicy = policy
        spec.hostNetwork = hostNetwork
        spec.dnsConfig = dnsConfig
        return Pod(metadata: ObjectMeta(name: "web", namespace: "shop", uid: "u1"), spec: spec)
    }

    func testHostResolvConfParsing() {
        let parsed = PodResolvConf.parse(hostFile)
        XCTAssertEqual(parsed.servers, ["192.0.2.53", "192.0.2.54"], "nameservers accumulate")
        XCTAssertEqual(parsed.searches, ["corp.example", "lab.example"], "the last search line wins, dots trimmed")
        XCTAssertEqual(parsed.options, ["ndots:3", "timeout:1", "rotate"], "a later option replaces one of the same name")
    }

    func testPolicies() {
        let host = NodeDNSSettings(hostResolvConf: hostFile)
        let cluster = NodeDNSSettings(clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local", hostResolvConf: hostFile)
        let hostText = "search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions ndots:3 timeout:1 rotate\n"
        let clusterText = """
            search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
            nameserver 10.96.0.10
            options ndots:5

            """
        let none = PodDNSConfig(
            nameservers: ["1.1.1.1"], searches: ["a.example"], options: [PodDNSConfigOption(name: "ndots", value: "1"), PodDNSConfigOption(name: "edns0")])
        let cases: [(String, Pod, NodeDNSSettings, String?, [String])] = [
            ("ClusterFirst without cluster DNS is Default", pod(policy: "ClusterFirst"), host, hostText, ["MissingClusterDNS"]),
            ("unset policy is ClusterFirst", pod(policy: nil), host, hostText, ["MissingClusterDNS"]),
            ("ClusterFirst with cluster DNS", pod(policy: "ClusterFirst"), cluster, clusterText, []),
            ("ClusterFirst on the host network is Default", pod(policy: "ClusterFirst", hostNetwork: true), cluster, hostText, []),
            ("ClusterFirstWithHostNet", pod(policy: "ClusterFirstWithHostNet", hostNetwork: true), cluster, clusterText, []),
            ("Default ignores cluster DNS", pod(policy: "Default"), cluster, hostText, []),
            ("None takes dnsConfig only", pod(policy: "None", dnsConfig: none), cluster,
             "search a.example\nnameserver 1.1.1.1\noptions ndots:1 edns0\n", []),
            ("Default plus dnsConfig: merged, no duplicates, options by name",
             pod(policy: "Default", dnsConfig: PodDNSConfig(
                nameservers: ["192.0.2.54", "9.9.9.9"], searches: ["lab.example", "extra.example"],
                options: [PodDNSConfigOption(name: "ndots", value: "7"), PodDNSConfigOption(name: "single-request")])),
             host, "search corp.example lab.example extra.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nnameserver 9.9.9.9\n"
                + "options ndots:7 timeout:1 rotate single-request\n", []),
            ("--resolv-conf \"\": the local resolver", pod(policy: "Default"), NodeDNSSettings(hostResolvConf: nil),
             "search .\nnameserver 127.0.0.1\n", []),
            ("an empty host file gives an empty config (copied as is)", pod(policy: "Default"), NodeDNSSettings(hostResolvConf: ""), nil, []),
        ]
        for (name, pod, node, text, warnings) in cases {
            let conf = PodResolvConf.compose(pod: pod, node: node)
            XCTAssertEqual(conf.fileContent, text, name)
            XCTAssertEqual(conf.warnings.map(\.reason), warnings, name)
        }
        XCTAssertEqual(
            PodResolvConf.compose(pod: pod(policy: "ClusterFirst"), node: host).warnings.first?.message,
            "pod: \"web_shop(u1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy.")
    }

    func testLimitsCutAndWarnLikeTheKubelet() {
        let servers = PodDNSConfig(nameservers: ["10.0.0.1", "10.0.0.2"])
        var conf = PodResolvConf.compose(pod: pod(policy: "Default", dnsConfig: servers), node: NodeDNSSettings(hostResolvConf: hostFile))
        XCTAssertEqual(conf.servers, ["192.0.2.53", "192.0.2.54", "10.0.0.1"])
        XCTAssertEqual(conf.warnings.map(\.message), [
            "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192.0.2.53 192.0.2.54 10.0.0.1",
        ])
        let many = PodDNSConfig(nameservers: ["10.0.0.1"], searches: (1...40).map { "s\($0).example" })
        conf = PodResolvConf.compose(pod: pod(policy: "None", dnsConfig: many), node: NodeDNSSettings(hostResolvConf: ""))
        XCTAssertEqual(conf.searches.count, 32)
        XCTAssertEqual(conf.warnings.map(\.reason), ["DNSConfigForming"])
        let long = PodDNSConfig(nameservers: ["10.0.0.1"], searches: (1...10).map { String(repeating: "x", count: 240) + ".e\($0)" })
        conf = PodResolvConf.compose(pod: pod(policy: "None", dnsConfig: long), node: NodeDNSSettings(hostResolvConf: ""))
        XCTAssertLessThanOrEqual(conf.searches.joined(separator: " ").count, 2048)
        XCTAssertEqual(conf.searches.count, 8)
    }
}

final class PodHostIdentityTests: XCTestCase {
    func pod(_ name: String, hostname: String? = nil, subdomain: String? = nil, fqdn: Bool? = nil, aliases: [HostAlias]? = nil) -> Pod {
        var spec = PodSpec(containers: [Container(name: "c", image: "busybox")])
        spec.hostname = hostname
        spec.subdomain = subdomain
        spec.setHostnameAsFQDN = fqdn
        spec.hostAliases = aliases
        return Pod(metadata: ObjectMeta(name: name, namespace: "shop", uid: "u1"), spec: spec)
    }

    static let localLines = """
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters

        """

    func testManagedHostsFileMatchesTheKubelet() throws {
        let plain = try PodHostIdentity.of(pod("some-hostname"), clusterDomain: "cluster.local")
        XCTAssertEqual(plain.hostsFile(podIPs: ["123.45.67.89"], hostAliases: []), Self.localLines + "123.45.67.89\tsome-hostname\n")

        let aliases = [HostAlias(ip: "123.45.67.89", hostnames: ["foo", "bar", "baz"]), HostAlias(ip: "::1", hostnames: ["six"])]
        let withAliases = try PodHostIdentity.of(pod("p", hostname: "another-hostname"), clusterDomain: "")
        XCTAssertEqual(
            withAliases.hostsFile(podIPs: ["12.34.56.78", "fd00::5"], hostAliases: aliases),
            Self.localLines + "12.34.56.78\tanother-hostname\nfd00::5\tanother-hostname\n\n# Entries added by HostAliases.\n"
                + "123.45.67.89\tfoo\tbar\tbaz\n::1\tsix\n")

        let sub = try PodHostIdentity.of(pod("p", hostname: "db-0", subdomain: "db"), clusterDomain: "cluster.local")
        XCTAssertEqual(sub.domain, "db.shop.svc.cluster.local")
        XCTAssertEqual(sub.kernelHostname, "db-0")
        XCTAssertEqual(sub.hostsFile(podIPs: ["10.0.0.7"], hostAliases: nil), Self.localLines + "10.0.0.7\tdb-0.db.shop.svc.cluster.local\tdb-0\n")

        XCTAssertEqual(
            PodHostIdentity.hostNetworkHostsFile(hostFile: "127.0.0.1 localhost\n", hostAliases: [HostAlias(ip: "10.1.1.1", hostnames: ["a"])]),
            "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n10.1.1.1\ta\n")
    }

    func testHostnames() throws {
        XCTAssertEqual(try PodHostIdentity.of(pod("web", hostname: "front"), clusterDomain: "").hostname, "front")
        // Without a cluster domain the kubelet still builds the domain, ending in "svc.".
        XCTAssertEqual(try PodHostIdentity.of(pod("web", subdomain: "s"), clusterDomain: "").domain, "s.shop.svc.")
        let fqdn = try PodHostIdentity.of(pod("web", hostname: "h", subdomain: "s", fqdn: true), clusterDomain: "cluster.local")
        XCTAssertEqual(fqdn.kernelHostname, "h.s.shop.svc.cluster.local")
        XCTAssertEqual(fqdn.hostname, "h")
        XCTAssertEqual(try PodHostIdentity.of(pod("web", fqdn: true), clusterDomain: "cluster.local").kernelHostname, "web",
                       "no subdomain: no FQDN")
        let long = String(repeating: "a", count: 62) + "-bc"
        XCTAssertEqual(try PodHostIdentity.of(pod(long), clusterDomain: "").hostname, String(repeating: "a", count: 62))
        XCTAssertThrowsError(try PodHostIdentity.of(
            pod("web", hostname: String(repeating: "h", count: 40), subdomain: "sub", fqdn: true), clusterDomain: "cluster.local")
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "failed to construct FQDN from pod hostname and cluster domain, FQDN \(String(repeating: "h", count: 40)).sub.shop.svc.cluster.local "
                    + "is too long (64 characters is the max, 67 characters requested)")
        }
    }
}
