import Foundation
import SwiftletKube
import XCTest

/// Pods whose images come from a real registry (Debian's docker-registry on 127.0.0.1), pushed by skopeo
/// from the umoci-built busybox layout.
final class RegistryPullTests: IntegrationTestCase {
    private var registries: [RegistryServer] = []

    override func tearDownWithError() throws {
        for registry in registries { registry.stop() }
        try super.tearDownWithError()
    }

    private func startRegistry(_ name: String, credentials: (user: String, password: String)? = nil) throws -> RegistryServer {
        let registry = try RegistryServer(root: harness.root + "/registry-" + name, credentials: credentials)
        registries.append(registry)
        return registry
    }

    private func swiftlet(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonHarness.binaries + "/swiftlet")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    private func podYAML(_ name: String, image: String, policy: String? = nil, command: String = "cat /srv/hello; exec sleep 3600") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: \(image)
        \(policy.map { "    imagePullPolicy: \($0)\n" } ?? "")    command: ["sh", "-c", "\(command)"]
        """
    }

    private func events(_ reason: String, containing text: String = "") -> [String] {
        ((try? harness.client.listEvents(namespace: "default").items) ?? [])
            .filter { $0.reason == reason && $0.message.contains(text) }.map { $0.message }
    }

    func testPodPullsByTagAndByDigest() throws {
        let registry = try startRegistry("plain")
        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "test/busybox:1")
        let image = "\(registry.host)/test/busybox:1"

        try harness.write("tagged.yaml", podYAML("tagged", image: image))
        let pod = try harness.waitForRunning("tagged", timeout: 60)
        XCTAssertTrue(try harness.waitForLog("tagged", "main", contains: "upper layer").contains("hello"))
        let status = try XCTUnwrap(pod.status?.containerStatuses?.first)
        XCTAssertEqual(status.image, image)
        XCTAssertTrue(status.imageID.hasPrefix("\(registry.host)/test/busybox@sha256:"), status.imageID)
        XCTAssertFalse(events("Pulling", containing: "Pulling image \"\(image)\"").isEmpty)
        XCTAssertFalse(events("Pulled", containing: "Successfully pulled image \"\(image)\" in ").isEmpty)

        // The same image by digest: a new reference (nothing but the manifest to fetch), runs too.
        let digest = String(status.imageID.split(separator: "@").last ?? "")
        let pinned = "\(registry.host)/test/busybox@\(digest)"
        try harness.write("pinned.yaml", podYAML("pinned", image: pinned))
        let pinnedPod = try harness.waitForRunning("pinned", timeout: 60)
        XCTAssertEqual(pinnedPod.status?.containerStatuses?.first?.imageID, "\(registry.host)/test/busybox@\(digest)")
        XCTAssertTrue(try harness.waitForLog("pinned", "main", contains: "upper layer").contains("hello"))
    }

    func testMultiPlatformIndexPicksTheHostPlatform() throws {
        let registry = try startRegistry("multi")
        let layout = harness.root + "/multi-layout"
        let indexDigest = try Self.makeMultiPlatformLayout(from: OCIImageTests.busyboxLayout, into: layout)
        try registry.push(layout: layout, tag: "multi", to: "test/multi:1", all: true)
        // No command: the host's manifest has the image CMD (echo image-cmd); the foreign one would fail.
        try harness.write("multi.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: multi}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: \(registry.host)/test/multi:1
            """)
        let pod = try harness.waitForRunning("multi", timeout: 60)
        XCTAssertTrue(try harness.waitForLog("multi", "main", contains: "image-cmd").contains("image-cmd"))
        XCTAssertEqual(pod.status?.containerStatuses?.first?.imageID, "\(registry.host)/test/multi@\(indexDigest)",
                       "imageID names the index, as containerd reports it")
    }

    func testBasicAuthWithDockerConfigJSONAndWithout() throws {
        let registry = try startRegistry("auth", credentials: ("swiftlet", "s3cret-pass"))
        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "private/busybox:1")
        let image = "\(registry.host)/private/busybox:1"

        // Without credentials: refused with a clear message, nothing stored.
        let denied = swiftlet(["images", "pull", "--state-dir", harness.root + "/other-state", "--registry-config", "/nonexistent", image])
        XCTAssertNotEqual(denied.status, 0)
        XCTAssertTrue(denied.output.contains("no basic auth credentials"), denied.output)

        // The daemon finds the credentials in <state>/config.json.
        let auth = Data("swiftlet:s3cret-pass".utf8).base64EncodedString()
        try #"{"auths": {"\#(registry.host)": {"auth": "\#(auth)"}}}"#.write(
            toFile: harness.state + "/config.json", atomically: true, encoding: .utf8)
        try harness.write("private.yaml", podYAML("private", image: image))
        _ = try harness.waitForRunning("private", timeout: 60)
        XCTAssertTrue(try harness.waitForLog("private", "main", contains: "upper layer").contains("hello"))
    }

    func testTamperedBlobIsRejectedAndNothingIsLeftHalfWritten() throws {
        let registry = try startRegistry("tamper")
        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "test/tampered:1")
        // Corrupt the big (busybox) layer in the registry's storage, keeping its length.
        let layer = try Self.largestLayer(OCIImageTests.busyboxLayout)
        let file = registry.blobFile(layer)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x5a
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let result = swiftlet(["images", "pull", "--state-dir", harness.state, "\(registry.host)/test/tampered:1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("blob \(layer) failed verification: content has digest sha256:"), result.output)
        let blobs = (try? FileManager.default.contentsOfDirectory(atPath: harness.state + "/images/blobs/sha256")) ?? []
        XCTAssertFalse(blobs.contains(String(layer.dropFirst(7))), "the tampered blob never lands in the store")
        let staging = (try? FileManager.default.contentsOfDirectory(atPath: harness.state + "/images/tmp")) ?? []
        XCTAssertEqual(staging, [], "no half-written download left behind")
        XCTAssertFalse(swiftlet(["images", "ls", "--state-dir", harness.state]).output.contains("tampered"))
    }

    func testPullPoliciesAndRecoveryOnceTheImageAppears() throws {
        let registry = try startRegistry("policy")
        let late = "\(registry.host)/test/late:1"
        try harness.write("never.yaml", podYAML("never", image: late, policy: "Never"))
        try harness.write("late.yaml", podYAML("late", image: late))

        let never = try harness.waitForPod("never", timeout: 30) {
            $0.status?.containerStatuses?.first?.state.waiting?.reason == "ErrImageNeverPull"
        }
        XCTAssertEqual(never.status?.containerStatuses?.first?.state.waiting?.message,
                       "Container image \"\(late)\" is not present with pull policy of Never")
        let failing = try harness.waitForPod("late", timeout: 30) {
            $0.status?.containerStatuses?.first?.state.waiting?.reason == "ErrImagePull"
        }
        XCTAssertTrue(failing.status?.containerStatuses?.first?.state.waiting?.message?
            .hasPrefix("failed to pull and unpack image \"\(late)\": failed to resolve reference") ?? false,
            DaemonHarness.describe(failing.status))
        _ = try harness.waitForPod("late", timeout: 30) {
            $0.status?.containerStatuses?.first?.state.waiting?.reason == "ImagePullBackOff"
        }
        XCTAssertEqual(failing.status?.phase, .pending)

        try registry.push(layout: OCIImageTests.busyboxLayout, tag: "1", to: "test/late:1")
        _ = try harness.waitForRunning("late", timeout: 60)
        // Never still does not pull, even though the image is now in the registry... but it is now on the
        // machine (pulled for `late`), so the Never pod starts from it, as on Kubernetes.
        _ = try harness.waitForRunning("never", timeout: 60)

        // Always pulls on every start; IfNotPresent finds the image already there.
        try harness.write("always.yaml", podYAML("always", image: late, policy: "Always", command: "exit 0"))
        try harness.waitFor("two Pulling events for the Always pod", timeout: 60) {
            ((try? self.harness.client.listEvents(namespace: "default").items) ?? [])
                .filter { $0.reason == "Pulling" && $0.involvedObject.name == "always" }
                .reduce(0) { $0 + max(1, Int($1.count)) } >= 2
        }
        try harness.write("cached.yaml", podYAML("cached", image: late, policy: "IfNotPresent"))
        _ = try harness.waitForRunning("cached", timeout: 60)
        let cachedEvents = ((try? harness.client.listEvents(namespace: "default").items) ?? [])
            .filter { $0.involvedObject.name == "cached" }
        XCTAssertTrue(cachedEvents.contains { $0.reason == "Pulled" && $0.message.contains("already present on machine") })
        XCTAssertFalse(cachedEvents.contains { $0.reason == "Pulling" })
    }

    // MARK: Helpers

    /// The digest of the largest layer of the layout's (single) image.
    static func largestLayer(_ layout: String) throws -> String {
        let manifest = try manifestObject(layout)
        let layers = (manifest["layers"] as? [[String: Any]]) ?? []
        let largest = layers.max { ($0["size"] as? Int ?? 0) < ($1["size"] as? Int ?? 0) }
        return try XCTUnwrap(largest?["digest"] as? String)
    }

    static func manifestObject(_ layout: String) throws -> [String: Any] {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as? [String: Any]
        let digest = try XCTUnwrap(((index?["manifests"] as? [[String: Any]])?.first?["digest"] as? String))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: blob(layout, digest)) as? [String: Any])
    }

    static func blob(_ layout: String, _ digest: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.dropFirst(7)))
    }

    /// Copies the layout and adds an image index tagged "multi": a manifest for a foreign platform (its
    /// config says so and runs a command that does not exist) and the host's original manifest.
    static func makeMultiPlatformLayout(from source: String, into layout: String) throws -> String {
        try DaemonHarness.runTool("/bin/cp", ["-a", source, layout])
        var manifest = try manifestObject(layout)
        let host = hostArchitecture()
        let config = manifest["config"] as? [String: Any] ?? [:]
        var configObject = try XCTUnwrap(try JSONSerialization.jsonObject(with: blob(layout, config["digest"] as? String ?? "")) as? [String: Any])
        let foreignArchitecture = host == "s390x" ? "ppc64le" : "s390x"
        configObject["architecture"] = foreignArchitecture
        configObject["config"] = ["Cmd": ["/foreign-only"]]
        let foreignConfig = try write(layout, configObject)
        manifest["config"] = ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": foreignConfig.digest, "size": foreignConfig.size]
        let foreignManifest = try write(layout, manifest)
        let originalIndex = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as? [String: Any]
        var hostEntry = try XCTUnwrap((originalIndex?["manifests"] as? [[String: Any]])?.first)
        hostEntry["annotations"] = nil
        hostEntry["platform"] = ["os": "linux", "architecture": host]
        let index: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                ["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": foreignManifest.digest,
                 "size": foreignManifest.size, "platform": ["os": "linux", "architecture": foreignArchitecture]],
                hostEntry,
            ],
        ]
        let indexBlob = try write(layout, index)
        let top: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [["mediaType": "application/vnd.oci.image.index.v1+json", "digest": indexBlob.digest,
                           "size": indexBlob.size, "annotations": ["org.opencontainers.image.ref.name": "multi"]]],
        ]
        try JSONSerialization.data(withJSONObject: top).write(to: URL(fileURLWithPath: layout + "/index.json"))
        return indexBlob.digest
    }

    static func write(_ layout: String, _ object: Any) throws -> (digest: String, size: Int) {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let temporary = layout + "/blob.tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        let sum = try DaemonHarness.runTool("/usr/bin/sha256sum", [temporary]).prefix(64)
        try FileManager.default.moveItem(atPath: temporary, toPath: layout + "/blobs/sha256/" + sum)
        return ("sha256:" + sum, data.count)
    }

    static func hostArchitecture() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return ["x86_64": "amd64", "aarch64": "arm64"][machine] ?? machine
    }
}
