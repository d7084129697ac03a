import Foundation
import SwiftletKube
import XCTest

/// Pods on a real CNI network (bridge + host-local + portmap from containernetworking-plugins).
final class NetworkTests: IntegrationTestCase {
    var network: TestBridgeNetwork?
    var uids: [String] = []

    /// A resolver file of the test's own, so the expected resolv.conf does not depend on the machine.
    override var daemonArguments: [String] {
        super.daemonArguments + ["--resolv-conf", harness.root + "/host-resolv.conf", "--cluster-domain", "cluster.local"]
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/lib/cni/bridge"), "needs containernetworking-plugins")
        network = try TestBridgeNetwork(harness: harness)
    }

    override func tearDownWithError() throws {
        let daemon = harness
        // Deletes every pod and checks processes, mounts (pinned netns files included) and cgroups.
        try super.tearDownWithError()
        if let network, let daemon {
            let leaks = network.leaks(harness: daemon, uids: uids)
            network.remove()
            XCTAssertEqual(leaks, [], "network resources left behind")
        }
    }

    func podManifest(_ name: String, command: String, extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: busybox
            command: ["sh", "-c", "\(command)"]
        \(extra)
        """
    }

    func testPodsGetDistinctIPsAndReachEachOtherAndTheHostReachesThem() throws {
        let network = try XCTUnwrap(self.network)
        try harness.write("web.yaml", podManifest("web", command: "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"))
        let web = try harness.waitForPod("web", "Running with a pod IP") { $0.status?.phase == .running && $0.status?.podIP != nil }
        let webIP = try XCTUnwrap(web.status?.podIP)
        XCTAssertTrue(webIP.hasPrefix(network.prefix + "."), webIP)
        XCTAssertEqual(web.status?.podIPs?.map(\.ip), [webIP])
        XCTAssertEqual(web.status?.conditions?.first { $0.type == .podReadyToStartContainers }?.status, .true)
        uids.append(web.uid)

        try harness.write(
            "client.yaml",
            podManifest("client", command: "ip addr show eth0; until wget -qO- http://\(webIP):8080/; do sleep 0.2; done; echo done; exec sleep 3600"))
        let client = try harness.waitForPod("client", "Running with a pod IP") { $0.status?.podIP != nil }
        uids.append(client.uid)
        let clientIP = try XCTUnwrap(client.status?.podIP)
        XCTAssertNotEqual(clientIP, webIP)
        XCTAssertTrue(clientIP.hasPrefix(network.prefix + "."), clientIP)
        let log = try harness.waitForLog("client", "main", contains: "done", timeout: 30)
        XCTAssertTrue(log.contains("hello-from-web"), log)
        XCTAssertTrue(log.contains("inet \(clientIP)/24"), "the pod sees its own address on eth0: \(log)")

        // The host reaches the pod through the bridge.
        let fromHost = try DaemonHarness.runTool("/usr/bin/curl", ["-s", "--max-time", "10", "http://\(webIP):8080/"])
        XCTAssertEqual(fromHost, "hello-from-web\n")
        XCTAssertEqual(Set(network.allocatedIPs), [webIP, clientIP])
        XCTAssertEqual(network.attachedInterfaces.count, 2)

        try harness.remove("web.yaml")
        try harness.remove("client.yaml")
        try harness.waitForGone("web")
        try harness.waitForGone("client")
        XCTAssertEqual(network.leaks(harness: harness, uids: uids), [])
    }

    /// What a container sees in /etc/resolv.conf, /etc/hosts and its hostname, per dnsPolicy, with
    /// hostAliases, subdomain and setHostnameAsFQDN: the kubelet's files for the same spec.
    func testResolvConfHostsAndHostnameMatchTheKubelet() throws {
        try """
            nameserver 192.0.2.53
            search corp.example
            options ndots:2

            """.write(toFile: harness.root + "/host-resolv.conf", atomically: true, encoding: .utf8)
        let show = "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; hostname; cat /etc/hostname; echo HOSTNAME=$$HOSTNAME; echo END; exec sleep 3600"
        try harness.write("default.yaml", podManifest("dflt", command: show, extra: """
              dnsPolicy: Default
              hostname: front
              subdomain: web
              setHostnameAsFQDN: true
              hostAliases:
              - ip: 10.1.2.3
                hostnames: [db.local, cache.local]
              dnsConfig:
                nameservers: [192.0.2.99]
                options: [{name: ndots, value: "5"}, {name: edns0}]
            """))
        try harness.write("none.yaml", podManifest("none", command: show, extra: """
              dnsPolicy: None
              dnsConfig:
                nameservers: [198.51.100.1]
                searches: [a.example, b.example]
                options: [{name: timeout, value: "1"}]
            """))
        try harness.write("cf.yaml", podManifest("cf", command: show))

        let dflt = try harness.waitForPod("dflt", "a pod IP") { $0.status?.podIP != nil }
        let ip = try XCTUnwrap(dflt.status?.podIP)
        let localLines = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
            + "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
        XCTAssertEqual(try harness.waitForLog("dflt", "main", contains: "END"), """
            search corp.example
            nameserver 192.0.2.53
            nameserver 192.0.2.99
            options ndots:5 edns0
            ---
            # Kubernetes-managed hosts file.
            \(localLines)\(ip)\tfront.web.default.svc.cluster.local\tfront

            # Entries added by HostAliases.
            10.1.2.3\tdb.local\tcache.local
            ---
            front.web.default.svc.cluster.local
            front.web.default.svc.cluster.local
            HOSTNAME=front.web.default.svc.cluster.local
            END

            """)

        let none = try harness.waitForPod("none", "a pod IP") { $0.status?.podIP != nil }
        XCTAssertEqual(try harness.waitForLog("none", "main", contains: "END"), """
            search a.example b.example
            nameserver 198.51.100.1
            options timeout:1
            ---
            # Kubernetes-managed hosts file.
            \(localLines)\(none.status?.podIP ?? "")\tnone
            ---
            none
            none
            HOSTNAME=none
            END

            """)

        // ClusterFirst without a cluster DNS server is Default, with the kubelet's warning.
        let cf = try harness.waitForPod("cf", "a pod IP") { $0.status?.podIP != nil }
        let cfLog = try harness.waitForLog("cf", "main", contains: "END")
        XCTAssertTrue(cfLog.hasPrefix("search corp.example\nnameserver 192.0.2.53\noptions ndots:2\n---\n"), cfLog)
        let events = try harness.client.listEvents(namespace: "default").items.filter { $0.involvedObject.name == "cf" }
        XCTAssertTrue(events.contains { $0.reason == "MissingClusterDNS" }, "\(events.map(\.reason))")
        uids += [dflt.uid, none.uid, cf.uid]
    }
}
