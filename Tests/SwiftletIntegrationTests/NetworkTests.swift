import Foundation
import SwiftletKube
import XCTest

/// Pods on a real CNI network (bridge + host-local + portmap from containernetworking-plugins).
final class NetworkTests: IntegrationTestCase {
    var network: TestBridgeNetwork?
    var uids: [String] = []

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
}
