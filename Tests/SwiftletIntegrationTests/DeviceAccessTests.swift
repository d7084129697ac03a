import Foundation
import SwiftletKube
import XCTest

/// The devices cgroup: a root container with CAP_MKNOD can create a node for a host device outside
/// the default list (/dev/fuse, c 10:229, which opens without any capability; the disks are closed even
/// to host root here) but not open it; /dev/null and friends work; a privileged container may open it.
final class DeviceAccessTests: IntegrationTestCase {
    func pod(_ name: String, privileged: Bool) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          terminationGracePeriodSeconds: 0
          containers:
          - name: main
            image: busybox
            securityContext: {privileged: \(privileged)}
            command: ["sh", "-c", "mknod /tmp/dev c 10 229 && echo mknod-ok; dd if=/tmp/dev bs=1 count=0 2>/dev/null && echo open-ok || echo open-denied; echo x > /dev/null && echo null-ok; echo done; exec sleep 3600"]
        """
    }

    func testContainerCannotOpenHostDevicesButPrivilegedCan() throws {
        try harness.write("confined.yaml", pod("confined", privileged: false))
        let log = try harness.waitForLog("confined", "main", contains: "done")
        XCTAssertTrue(log.contains("mknod-ok"), "creating a node is allowed (images ship them): \(log)")
        XCTAssertTrue(log.contains("open-denied"), "the devices cgroup refuses a device outside the default list: \(log)")
        XCTAssertTrue(log.contains("null-ok"), log)

        try harness.write("privileged.yaml", pod("privileged", privileged: true))
        let privileged = try harness.waitForLog("privileged", "main", contains: "done")
        XCTAssertTrue(privileged.contains("open-ok"), "privileged: every device: \(privileged)")
    }
}
