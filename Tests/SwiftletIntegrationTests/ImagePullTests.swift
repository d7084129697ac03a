import Foundation
import SwiftletKube
import XCTest

/// Pulls as a pod sees them: credentials from `imagePullSecrets`, the container's waiting state while
/// a pull runs, and a pull cut by kill -9 that completes after the restart.
final class ImagePullTests: IntegrationTestCase {
    private var registries: [RegistryServer] = []
    private var proxies: [ThrottledProxy] = []

    override func tearDownWithError() throws {
        for proxy in proxies { proxy.stop() }
        for registry in registries { registry.stop() }
        try super.tearDownWithError()
    }

    /// The busybox layout plus a layer of 24 MiB of random bytes (incompressible), built once with umoci
    /// and kept next to the busybox layout for later runs.
    static let bigLayout: String = {
        let dir = "/tmp/swiftlet-it-busybox-big-oci"
        guard !FileManager.default.fileExists(atPath: dir + "/index.json") else { return dir }
        let work = "/tmp/swiftlet-it-big-\(UUID().uuidString)"
        _ = try? DaemonHarness.runTool("/bin/sh", ["-c", """
            set -e
            cp -a "$1" "$2/layout" 2>/dev/null || { mkdir -p "$2" && cp -a "$1" "$2/layout"; }
            umoci unpack --image "$2/layout:1" "$2/bundle" >/dev/null
            head -c 25165824 /dev/urandom > "$2/bundle/rootfs/srv/payload"
            umoci repack --image "$2/layout:1" "$2/bundle" >/dev/null
            rm -rf "$2/bundle"
            mv -T "$2/layout" "$3" 2>/dev/null || true
            rm -rf "$2"
            """, "sh", OCIImageTests.busyboxLayout, work, dir])
        return dir
    }()

    /// A registry holding the big image, behind a proxy passing on `bytesPerSecond`; returns the image.
    private func slowRegistry(_ name: String, bytesPerSecond: Int) throws -> (image: String, proxy: ThrottledProxy) {
        let registry = try startRegistry(name)
        try registry.push(layout: Self.bigLayout, tag: "1", to: "test/big:1")
        let proxy = try ThrottledProxy(target: registry.port, bytesPerSecond: bytesPerSecond)
        proxies.append(proxy)
        return ("\(proxy.host)/test/big:1", proxy)
    }

    private func startRegistry(_ name: String, credentials: (user: String, password: String)? = nil) throws -> RegistryServer {
        let registry = try RegistryServer(root: harness.root + "/registry-" + name, credentials: credentials)
        registries.append(registry)
        return registry
    }

    private func pod(_ name: String, image: String, pullSecrets: [String] = []) -> Pod {
        let container = Container(name: "main", image: image, command: ["sh", "-c", "cat /srv/hello; exec sleep 3600"])
        var pod = Pod(metadata: ObjectMeta(name: name), spec: PodSpec(containers: [container]))
        pod.spec.terminationGracePeriodSeconds = 1
        if !pullSecrets.isEmpty { pod.spec.imagePullSecrets = pullSecrets.map { LocalObjectReference(name: $0) } }
        return pod
    }

    private func events(of pod: String, _ reason: String) -> [String] {
        ((try? harness.client.listEvents(namespace: "default").items) ?? [])
            .filter { $0.involvedObject.name == pod && $0.reason == reason }.map(\.message)
    }

    private func waiting(_ pod: Pod) -> ContainerStateWaiting? { pod.status?.containerStatuses?.first?.state.waiting }

    func testImagePullSecretsFromTheAPI() throws {
        let registry = try startRegistry("secret", credentials: ("swiftlet", "pull-s3cret"))
        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "private/busybox:1")
        let image = "\(registry.host)/private/busybox:1"

        // The secrets do not exist yet: not fatal, the pull goes on anonymously and the registry refuses it.
        _ = try harness.client.createPod(pod("private", image: image, pullSecrets: ["absent", "regcred"]))
        let denied = try harness.waitForPod("private", timeout: 60) { self.waiting($0)?.reason == "ErrImagePull" }
        let message = waiting(denied)?.message ?? ""
        XCTAssertTrue(message.hasPrefix("failed to pull and unpack image \"\(image)\""), message)
        XCTAssertTrue(message.contains("may require authorization: authorization failed: no basic auth credentials"), message)
        XCTAssertEqual(denied.status?.phase, .pending)
        try harness.waitFor("FailedToRetrieveImagePullSecret", timeout: 30) {
            self.events(of: "private", "FailedToRetrieveImagePullSecret").contains(
                "Unable to retrieve some image pull secrets (absent, regcred); attempting to pull the image may not succeed.")
        }

        // The API server's checks of a dockerconfigjson secret.
        var broken = Secret(metadata: ObjectMeta(name: "broken"), stringData: ["config": "{}"])
        broken.type = "kubernetes.io/dockerconfigjson"
        XCTAssertThrowsError(try harness.client.createObject(broken)) { error in
            XCTAssertTrue("\(error)".contains("data[.dockerconfigjson]: Required value"), "\(error)")
        }

        // `kubectl create secret docker-registry regcred …`: the pod recovers by itself and runs.
        let auth = Data("swiftlet:pull-s3cret".utf8).base64EncodedString()
        var secret = Secret(
            metadata: ObjectMeta(name: "regcred"),
            stringData: [".dockerconfigjson": #"{"auths":{"\#(registry.host)":{"username":"swiftlet","password":"pull-s3cret","auth":"\#(auth)"}}}"#])
        secret.type = "kubernetes.io/dockerconfigjson"
        _ = try harness.client.createObject(secret)
        let running = try harness.waitForRunning("private", timeout: 60)
        XCTAssertTrue(try harness.waitForLog("private", "main", contains: "upper layer").contains("hello"))
        XCTAssertEqual(running.status?.containerStatuses?.first?.image, image)
        XCTAssertTrue(running.status?.containerStatuses?.first?.imageID.hasPrefix("\(registry.host)/private/busybox@sha256:") ?? false)
        XCTAssertFalse(events(of: "private", "Pulled").isEmpty)
    }

    func testContainerCreatingWhileThePullRuns() throws {
        let (image, _) = try slowRegistry("slow", bytesPerSecond: 4 << 20)
        _ = try harness.client.createPod(pod("slow", image: image))

        // Observed through the API while the pull is under way: Pulling recorded, Pulled not yet.
        let pulling = try harness.waitForPod("slow", timeout: 60) { pod in
            self.waiting(pod)?.reason == "ContainerCreating" && !self.events(of: "slow", "Pulling").isEmpty
        }
        XCTAssertTrue(events(of: "slow", "Pulled").isEmpty, "the pull is still running")
        XCTAssertEqual(pulling.status?.phase, .pending)
        XCTAssertNil(waiting(pulling)?.message)
        XCTAssertEqual(pulling.status?.containerStatuses?.first?.image, image)
        XCTAssertEqual(pulling.status?.containerStatuses?.first?.ready, false)
        XCTAssertEqual(events(of: "slow", "Pulling"), ["Pulling image \"\(image)\""])

        _ = try harness.waitForRunning("slow", timeout: 120)
        let pulled = events(of: "slow", "Pulled")
        XCTAssertEqual(pulled.count, 1, "\(pulled)")
        let pattern = #/Successfully pulled image "(.+)" in ([0-9.]+m?s) \(([0-9.]+m?s) including waiting\)\. Image size: ([0-9]+) bytes\./#
        let match = try XCTUnwrap(pulled.first?.wholeMatch(of: pattern), "\(pulled)")
        XCTAssertEqual(String(match.output.1), image)
        XCTAssertGreaterThan(Int(match.output.4) ?? 0, 24 << 20)
    }

    func testPullCutByKill9ResumesWithARangeRequest() throws {
        let (image, proxy) = try slowRegistry("resume", bytesPerSecond: 3 << 20)
        let layer = try RegistryPullTests.largestLayer(Self.bigLayout)
        let hex = String(layer.dropFirst(7))
        let tmp = harness.state + "/images/tmp"
        let partial = tmp + "/partial-" + hex
        func size(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }

        _ = try harness.client.createPod(pod("resumed", image: image))
        try harness.waitFor("a quarter of the big layer downloaded", timeout: 90) { size(partial) > 6 << 20 }
        harness.kill9()
        let kept = size(partial)
        XCTAssertGreaterThan(kept, 6 << 20, "the partial download survives the kill")
        XCTAssertLessThan(kept, 24 << 20)
        // Debris of an interrupted unpack (as a kill -9 in the middle of one leaves it) goes at start.
        try FileManager.default.createDirectory(atPath: tmp + "/unpack-left-by-a-kill", withIntermediateDirectories: true)

        try harness.start()
        _ = try harness.waitForRunning("resumed", timeout: 120)
        // The second attempt asked only for the rest of the layer.
        let ranges = proxy.requests.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("range: bytes=") }
        let offsets = ranges.compactMap { Int($0.dropFirst("range: bytes=".count).prefix { $0 != "-" }) }
        XCTAssertTrue(offsets.contains { $0 >= kept }, "Range requests: \(ranges)")
        // The stored blob is the whole layer, checked against its digest; nothing stale in tmp/.
        let stored = harness.state + "/images/blobs/sha256/" + hex
        XCTAssertEqual(try DaemonHarness.runTool("/usr/bin/sha256sum", [stored]).prefix(64), Substring(hex))
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? ["?"], [])
        let pulled = events(of: "resumed", "Pulled")
        XCTAssertFalse(pulled.isEmpty)
    }

    func testPullProgressBarsOnATerminalAndQuietOtherwise() throws {
        let registry = try startRegistry("progress")
        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "test/busybox:1")
        let image = "\(registry.host)/test/busybox:1"
        let manifest = try RegistryPullTests.manifestObject(OCIImageTests.busyboxLayout)
        let layers = ((manifest["layers"] as? [[String: Any]]) ?? []).compactMap { ($0["digest"] as? String)?.dropFirst(7).prefix(12) }
        let config = try XCTUnwrap((manifest["config"] as? [String: Any])?["digest"] as? String).dropFirst(7).prefix(12)
        XCTAssertEqual(layers.count, 2)
        let swiftlet = DaemonHarness.binaries + "/swiftlet"

        // On a terminal (script(1) runs the command on a pseudo-terminal): one bar per layer, redrawn in place.
        let pull = [swiftlet, "images", "pull", "--state-dir", harness.root + "/tty-state", image].joined(separator: " ")
        let tty = try DaemonHarness.runTool("/usr/bin/script", ["-q", "-e", "-c", pull, "/dev/null"])
        for layer in layers {
            XCTAssertTrue(tty.contains("\u{1B}[2K\(layer)  "), "a line for layer \(layer):\n\(tty)")
        }
        XCTAssertFalse(tty.contains("\u{1B}[2K\(config)"), "the config blob (the image id) has no bar")
        XCTAssertTrue(tty.contains(" MiB [==============================]"), "full bars at the end:\n\(tty)")
        XCTAssertTrue(tty.contains("pulled \(image) (sha256:"), tty)
        // Again: the layers are there already.
        let again = try DaemonHarness.runTool("/usr/bin/script", ["-q", "-e", "-c", pull, "/dev/null"])
        for layer in layers {
            XCTAssertTrue(again.contains("\u{1B}[2K\(layer)  already present"), again)
        }
        XCTAssertFalse(again.contains("MiB"), again)

        // Not a terminal: no bars, no escape sequences, only the summary line.
        let piped = try DaemonHarness.runTool(swiftlet, ["images", "pull", "--state-dir", harness.root + "/pipe-state", image])
        XCTAssertFalse(piped.contains("\u{1B}"), piped)
        XCTAssertFalse(piped.contains("MiB"), piped)
        XCTAssertEqual(piped.split(separator: "\n").count, 1, piped)
        XCTAssertTrue(piped.hasPrefix("pulled \(image) (sha256:"), piped)
        // -q on a terminal: nothing at all.
        let quiet = try DaemonHarness.runTool("/usr/bin/script", ["-q", "-e", "-c", pull + " -q", "/dev/null"])
        XCTAssertEqual(quiet.trimmingCharacters(in: .whitespacesAndNewlines), "", quiet)
    }
}
