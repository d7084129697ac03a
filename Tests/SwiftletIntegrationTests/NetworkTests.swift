import Foundation
import SwiftletKube
import XCTest

/// Pods on a real CNI network (bridge + host-local + portmap from containernetworking-plugins).
final class NetworkTests: IntegrationTestCase {
    var network: TestBridgeNetwork?
    var uids: [String] = []

    /// A resolver file of the test's own, so the expected resolv.conf does not depend on the machine.
    override var daemonArguments: [String] {
        super.daemonArguments + [
            "--resolv-conf", harness.root + "/host-resolv.conf", "--cluster-domain", "cluster.local",
            // The test's own plugins first (a broken one), then Debian's.
            "--cni-bin-dir", harness.root + "/cni-bin", "--cni-bin-dir", "/usr/lib/cni",
            // hostPorts are beyond the baseline Pod Security level API pods get by default.
            "--pod-security-level", "privileged",
        ]
    }

    func apiPod(_ name: String, command: String, hostPort: Int32? = nil) -> Pod {
        var pod = DaemonHarness.sleeper(name, grace: 1, command: ["sh", "-c", command])
        if let hostPort {
            var port = ContainerPort(containerPort: 8080)
            port.hostPort = hostPort
            pod.spec.containers[0].ports = [port]
        }
        return pod
    }

    static let httpd = "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"

    /// curl's output, or nil when nothing answers.
    func fetch(_ url: String) -> String? {
        try? DaemonHarness.runTool("/usr/bin/curl", ["-s", "--max-time", "5", url])
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

    /// portmap through the portMappings capability: the hostPort answers on the host's 127.0.0.1,
    /// a second pod wanting it waits with the kubelet's NodePorts reason, and takes over once the
    /// first is gone; the DNAT rules go with the pod.
    func testHostPortIsReachableOnLocalhostAndReleasedWithThePod() throws {
        _ = try harness.client.createPod(apiPod("hp-one", command: Self.httpd, hostPort: 18080))
        let one = try harness.waitForRunning("hp-one")
        uids.append(one.uid)
        try harness.waitFor("hp-one on 127.0.0.1:18080", timeout: 20) { self.fetch("http://127.0.0.1:18080/") == "hp-one\n" }

        _ = try harness.client.createPod(apiPod("hp-two", command: Self.httpd, hostPort: 18080))
        let waiting = try harness.waitForPod("hp-two", "rejected for its hostPort") { $0.status?.reason == "NodePorts" }
        uids.append(waiting.uid)
        XCTAssertEqual(waiting.status?.phase, .pending)
        XCTAssertEqual(
            waiting.status?.message,
            "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports")
        XCTAssertNil(waiting.status?.podIP)

        _ = try harness.client.deletePod(namespace: "default", name: "hp-one", gracePeriodSeconds: 0)
        try harness.waitForGone("hp-one")
        let two = try harness.waitForRunning("hp-two")
        XCTAssertNil(two.status?.reason)
        try harness.waitFor("hp-two on 127.0.0.1:18080", timeout: 20) { self.fetch("http://127.0.0.1:18080/") == "hp-two\n" }

        _ = try harness.client.deletePod(namespace: "default", name: "hp-two", gracePeriodSeconds: 0)
        try harness.waitForGone("hp-two")
        XCTAssertNil(fetch("http://127.0.0.1:18080/").flatMap { $0.isEmpty ? nil : $0 }, "port 18080 released")
        XCTAssertEqual(network?.leaks(harness: harness, uids: uids), [])
    }

    /// A plugin that fails ADD with a CNI error object: the pod stays Pending with that message in
    /// a FailedCreatePodSandBox event (nothing half-made left behind), and starts once the
    /// configuration is fixed.
    func testABrokenPluginKeepsThePodPendingWithItsMessageUntilTheConfigIsFixed() throws {
        let network = try XCTUnwrap(self.network)
        let bin = harness.root + "/cni-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try """
            #!/bin/sh
            # Refuses ADD; DEL of what it never made succeeds, as the spec asks of plugins.
            cat >/dev/null
            [ "$CNI_COMMAND" = ADD ] || exit 0
            echo '{"cniVersion": "1.0.0", "code": 100, "msg": "test plugin refuses", "details": "on purpose"}'
            exit 1

            """.write(toFile: bin + "/broken", atomically: true, encoding: .utf8)
        chmod(bin + "/broken", 0o755)
        try network.write(extraPlugins: #", {"type": "broken"}"#)

        _ = try harness.client.createPod(apiPod("unlucky", command: Self.httpd))
        let expected = #"plugin type="broken" name="testnet" failed (add): test plugin refuses; on purpose"#
        var message = ""
        try harness.waitFor("a FailedCreatePodSandBox event", timeout: 30) {
            let events = (try? self.harness.client.listEvents(namespace: "default").items) ?? []
            message = events.first { $0.involvedObject.name == "unlucky" && $0.reason == "FailedCreatePodSandBox" }?.message ?? ""
            return !message.isEmpty
        }
        XCTAssertTrue(message.hasPrefix("Failed to create pod sandbox: failed to setup network for sandbox"), message)
        XCTAssertTrue(message.hasSuffix(expected), message)
        let pending = try XCTUnwrap(harness.pod("unlucky"))
        uids.append(pending.uid)
        XCTAssertEqual(pending.status?.phase, .pending)
        XCTAssertNil(pending.status?.podIP)
        XCTAssertEqual(pending.status?.containerStatuses?.first?.state.waiting?.reason, "ContainerCreating")
        XCTAssertEqual(pending.status?.conditions?.first { $0.type == .podReadyToStartContainers }?.status, .false)
        // The attempt was undone: bridge and IPAM released what ADD took before the broken plugin.
        try harness.waitFor("the failed attempt to be undone", timeout: 10) {
            network.allocatedIPs.isEmpty && network.attachedInterfaces.isEmpty
        }

        try network.write()
        let running = try harness.waitForPod("unlucky", timeout: 30, "Running with an IP after the fix") {
            $0.status?.phase == .running && $0.status?.podIP != nil
        }
        XCTAssertEqual(running.status?.conditions?.first { $0.type == .podReadyToStartContainers }?.status, .true)
        try harness.waitFor("httpd", timeout: 20) { self.fetch("http://\(running.status?.podIP ?? ""):8080/") == "unlucky\n" }
    }

    /// 50 create/delete cycles, then agent kill -9s with pods running and a pod deleted while the
    /// agent is down: every IP, veth, netns file and portmap rule is released.
    func testCreateDeleteCyclesAndAgentKillsLeakNothing() throws {
        let network = try XCTUnwrap(self.network)
        var seen = Set<String>()
        for i in 0..<50 {
            let name = "cycle-\(i)"
            _ = try harness.client.createPod(apiPod(name, command: "exec sleep 3600", hostPort: i % 10 == 0 ? 18090 : nil))
            let pod = try harness.waitForPod(name, "a pod IP") { $0.status?.podIP != nil }
            uids.append(pod.uid)
            seen.insert(pod.status?.podIP ?? "")
            _ = try harness.client.deletePod(namespace: "default", name: name, gracePeriodSeconds: 0)
            try harness.waitForGone(name)
        }
        XCTAssertEqual(network.allocatedIPs, [], "every cycle released its IP")
        XCTAssertEqual(network.attachedInterfaces, [])
        XCTAssertGreaterThan(seen.count, 1)

        // Pods survive a kill -9 of the agent with their network; the restarted agent CHECKs it.
        for name in ["keep", "drop"] {
            try harness.write("\(name).yaml", podManifest(name, command: "exec sleep 3600"))
        }
        let keep = try harness.waitForPod("keep", "a pod IP") { $0.status?.podIP != nil && $0.status?.phase == .running }
        let drop = try harness.waitForPod("drop", "a pod IP") { $0.status?.podIP != nil && $0.status?.phase == .running }
        uids += [keep.uid, drop.uid]
        harness.kill9()
        try harness.start(daemonArguments)
        let readopted = try harness.waitForRunning("keep")
        XCTAssertEqual(readopted.status?.podIP, keep.status?.podIP, "re-adopted with its network")
        let events = try harness.client.listEvents(namespace: "default").items.filter { $0.involvedObject.name == "keep" }
        XCTAssertFalse(events.contains { $0.reason == "FailedCheckPodNetwork" }, "CHECK passed: \(events.map(\.message))")

        // Deleted while the agent is down: the next agent removes it, DEL included.
        harness.kill9()
        try harness.remove("drop.yaml")
        try harness.start(daemonArguments)
        try harness.waitForGone("drop")
        XCTAssertEqual(network.allocatedIPs, [keep.status?.podIP ?? ""])
        XCTAssertEqual(network.attachedInterfaces.count, 1)
        let later = try harness.client.listEvents(namespace: "default").items.filter { $0.involvedObject.name == "keep" }
        XCTAssertFalse(later.contains { $0.reason == "FailedCheckPodNetwork" }, "\(later.map(\.message))")
        try harness.remove("keep.yaml")
        try harness.waitForGone("keep")
        XCTAssertEqual(network.leaks(harness: harness, uids: uids), [])
    }

    /// A plugin returning IPv4 and IPv6 addresses gives podIPs of both families, IPv4 first.
    func testDualStackPodsGetBothFamilies() throws {
        let network = try XCTUnwrap(self.network)
        try XCTSkipIf(
            (try? String(contentsOfFile: "/proc/sys/net/ipv6/conf/all/disable_ipv6", encoding: .utf8))?.hasPrefix("1") ?? true,
            "IPv6 is disabled on this host")
        try network.addIPv6()
        _ = try harness.client.createPod(apiPod("dual", command: "ip -6 addr show eth0; exec sleep 3600"))
        let pod = try harness.waitForPod("dual", "two pod IPs") { ($0.status?.podIPs?.count ?? 0) == 2 }
        uids.append(pod.uid)
        let ips = pod.status?.podIPs?.map(\.ip) ?? []
        XCTAssertTrue(ips[0].hasPrefix(network.prefix + "."), "\(ips)")
        XCTAssertTrue(ips[1].hasPrefix(network.ipv6Prefix ?? "-"), "\(ips)")
        XCTAssertEqual(pod.status?.podIP, ips[0])
        _ = try harness.waitForLog("dual", "main", contains: ips[1])
        XCTAssertEqual(Set(network.allocatedIPs), Set(ips))
    }

    /// Host-network pods make no CNI call: the host's IP is their pod IP, the host's /etc/hosts
    /// theirs (under the kubelet's header), even with a network configured.
    func testHostNetworkPodsSkipCNIAndReportTheHostIP() throws {
        let network = try XCTUnwrap(self.network)
        try harness.write("host.yaml", podManifest(
            "onhost", command: "head -1 /etc/hosts; echo host=$$(hostname); echo END; exec sleep 3600", extra: "  hostNetwork: true"))
        let pod = try harness.waitForRunning("onhost")
        uids.append(pod.uid)
        XCTAssertNotNil(pod.status?.hostIP)
        XCTAssertEqual(pod.status?.podIP, pod.status?.hostIP)
        XCTAssertEqual(pod.status?.podIPs?.map(\.ip), pod.status?.hostIP.map { [$0] })
        let log = try harness.waitForLog("onhost", "main", contains: "END")
        XCTAssertTrue(log.hasPrefix("# Kubernetes-managed hosts file (host network).\n"), log)
        let hostname = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        XCTAssertTrue(log.contains("host=\(hostname)\n"), "the host's own hostname: \(log)")
        XCTAssertEqual(network.allocatedIPs, [])
        XCTAssertEqual(network.attachedInterfaces, [])
    }

    /// The bandwidth capability: the pod's kubernetes.io/*-bandwidth annotations reach the
    /// bandwidth plugin, which shapes the pod's veth (ingress) and an ifb device (egress); both go with the pod.
    func testBandwidthAnnotationsShapeThePodsTraffic() throws {
        let network = try XCTUnwrap(self.network)
        try network.write(extraPlugins: #", {"type": "bandwidth", "capabilities": {"bandwidth": true}}"#)
        let ifbBefore = Self.links().filter { $0.hasPrefix("bwp") }
        var pod = apiPod("shaped", command: "exec sleep 3600")
        pod.metadata.annotations = ["kubernetes.io/ingress-bandwidth": "1M", "kubernetes.io/egress-bandwidth": "2M"]
        _ = try harness.client.createPod(pod)
        let running = try harness.waitForPod("shaped", "a pod IP") { $0.status?.podIP != nil }
        uids.append(running.uid)
        let veth = try XCTUnwrap(network.attachedInterfaces.first)
        let qdisc = try DaemonHarness.runTool("/usr/sbin/tc", ["qdisc", "show", "dev", veth])
        XCTAssertTrue(qdisc.contains("tbf") && qdisc.contains("rate 1Mbit"), qdisc)
        let ifbs = Self.links().filter { $0.hasPrefix("bwp") && !ifbBefore.contains($0) }
        XCTAssertEqual(ifbs.count, 1, "an ifb device for egress: \(ifbs)")
        let egress = try DaemonHarness.runTool("/usr/sbin/tc", ["qdisc", "show", "dev", ifbs.first ?? ""])
        XCTAssertTrue(egress.contains("rate 2Mbit"), egress)

        _ = try harness.client.deletePod(namespace: "default", name: "shaped", gracePeriodSeconds: 0)
        try harness.waitForGone("shaped")
        XCTAssertEqual(Self.links().filter { $0.hasPrefix("bwp") && !ifbBefore.contains($0) }, [], "the ifb device is gone")
    }

    static func links() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
    }
}
