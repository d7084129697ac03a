import Foundation
import SwiftletKube
import XCTest

/// Pods from OCI images built by umoci (an independent producer), imported as a layout and as an archive.
final class OCIImageTests: IntegrationTestCase {
    /// The busybox OCI layout of scripts/make-busybox-oci (two layers, a whiteout, a config), built once.
    static let busyboxLayout: String = {
        let dir = "/tmp/swiftlet-it-busybox-oci"
        if !FileManager.default.fileExists(atPath: dir + "/index.json") {
            _ = try? DaemonHarness.runTool("/bin/sh", [DaemonHarness.repository + "/scripts/make-busybox-oci", dir])
        }
        return dir
    }()

    func testPodRunsFromAnImportedOCILayoutWithItsConfigLayersAndPrivateWrites() throws {
        let imported = try DaemonHarness.runTool(
            DaemonHarness.binaries + "/swiftlet",
            ["images", "import", "--state-dir", harness.state, "--name", "127.0.0.1:5000/test/busybox", Self.busyboxLayout])
        XCTAssertTrue(imported.contains("imported 127.0.0.1:5000/test/busybox:1 (sha256:"), imported)

        // `image-default` runs the image's ENTRYPOINT + CMD as its USER in its WORKDIR; `a` and `b` write
        // into the same path of the same image and must not see each other's files.
        try harness.write(
            "oci.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: oci}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: image-default
                image: 127.0.0.1:5000/test/busybox:1
              - name: a
                image: 127.0.0.1:5000/test/busybox:1
                command: ["sh", "-c", "echo a > /tmp/mine-a; sleep 1; echo uid=$(id -u) mode=$MODE pwd=$(pwd); cat /srv/hello; ls /etc/removed 2>&1; ls /tmp; echo done; exec sleep 3600"]
              - name: b
                image: 127.0.0.1:5000/test/busybox:1
                args: ["echo b > /tmp/mine-b; sleep 1; ls /tmp; echo done; exec sleep 3600"]
                env: [{name: MODE, value: pod}]
            """)
        let pod = try harness.waitForRunning("oci")
        let statuses = pod.status?.containerStatuses ?? []
        XCTAssertEqual(statuses.map(\.image), Array(repeating: "127.0.0.1:5000/test/busybox:1", count: 3))
        for status in statuses {
            XCTAssertTrue(status.imageID.hasPrefix("127.0.0.1:5000/test/busybox@sha256:"), status.imageID)
        }

        XCTAssertTrue(try harness.waitForLog("oci", "image-default", contains: "image-cmd").contains("image-cmd"))
        let a = try harness.waitForLog("oci", "a", contains: "done")
        XCTAssertTrue(a.contains("uid=65534 mode=image pwd=/srv"), "image USER, ENV and WORKDIR apply: \(a)")
        XCTAssertTrue(a.contains("hello from the upper layer"), a)
        XCTAssertTrue(a.contains("No such file"), "the upper layer's whiteout hides /etc/removed: \(a)")
        XCTAssertTrue(a.contains("mine-a") && !a.contains("mine-b"), "a sees only its own write: \(a)")
        let b = try harness.waitForLog("oci", "b", contains: "done")
        XCTAssertTrue(b.contains("mine-b") && !b.contains("mine-a"), "b sees only its own write: \(b)")

        // The image itself is untouched by the containers' writes.
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: harness.state + "/images/snapshots")
        for snapshot in snapshots {
            XCTAssertFalse(FileManager.default.fileExists(atPath: harness.state + "/images/snapshots/\(snapshot)/tmp/mine-a"))
        }
    }

    func testPodRunsFromAnOCIArchive() throws {
        let archive = harness.root + "/busybox.oci.tar"
        try DaemonHarness.runTool("/usr/bin/tar", ["-C", Self.busyboxLayout, "-cf", archive, "."])
        let imported = try DaemonHarness.runTool(
            DaemonHarness.binaries + "/swiftlet", ["images", "import", "--state-dir", harness.state, "--name", "local/busybox:archived", archive])
        XCTAssertTrue(imported.contains("imported docker.io/local/busybox:archived"), imported)
        try harness.write(
            "archived.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: archived}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:archived
                command: ["sh", "-c", "cat /srv/hello; exec sleep 3600"]
            """)
        _ = try harness.waitForRunning("archived")
        XCTAssertTrue(try harness.waitForLog("archived", "main", contains: "hello from the upper layer").contains("upper"))
    }
}
