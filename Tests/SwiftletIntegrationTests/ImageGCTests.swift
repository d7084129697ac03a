import Foundation
import XCTest

/// Image garbage collection with thresholds at 0 %: every image no pod names goes, the used one stays.
final class ImageGCTests: IntegrationTestCase {
    override var daemonArguments: [String] {
        super.daemonArguments + ["--image-gc-high-threshold-percent", "0", "--image-gc-low-threshold-percent", "0", "--image-minimum-gc-age", "0"]
    }

    func testUnusedImagesAreCollectedAndUsedOnesNever() throws {
        try harness.write("user.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: user}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
            """)
        _ = try harness.waitForRunning("user")
        try DaemonHarness.runTool(
            DaemonHarness.binaries + "/swiftlet",
            ["images", "import", "--state-dir", harness.state, "--name", "unused/busybox", OCIImageTests.busyboxLayout])
        func list() -> String {
            (try? DaemonHarness.runTool(DaemonHarness.binaries + "/swiftlet", ["images", "ls", "--state-dir", harness.state])) ?? ""
        }
        try harness.waitFor("the unused image to be collected", timeout: 30) { !list().contains("unused/busybox") }
        XCTAssertTrue(list().contains("docker.io/library/busybox:latest"), "the image a pod uses stays: \(list())")
        try harness.waitFor("the unused image's blobs and snapshots to go", timeout: 30) {
            ((try? FileManager.default.contentsOfDirectory(atPath: self.harness.state + "/images/snapshots")) ?? ["x"]).isEmpty
        }
        XCTAssertNotNil(harness.pod("user")?.status?.containerStatuses?.first?.state.running)
    }
}
