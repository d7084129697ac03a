import Foundation
import SwiftletKube
import XCTest

/// The kubelet's OS admission checks through the daemon: a pod built for another OS, by
/// `spec.os.name` or by its `kubernetes.io/os` label, is failed for good (`rejectPod`) without
/// a sandbox, with the warning event carrying the admission's bare message.
final class AdmissionTests: IntegrationTestCase {
    func testPodForAnotherOSIsRejectedAndNeverStarts() throws {
        var byField = DaemonHarness.sleeper("windows-field")
        byField.spec.os = PodOS(name: "windows")
        var byLabel = DaemonHarness.sleeper("windows-label")
        byLabel.metadata.labels = ["kubernetes.io/os": "windows"]
        let cases = [
            (byField, "PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS"),
            (byLabel, "PodOSSelectorNodeLabelDoesNotMatch",
             "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label"),
        ]
        for (pod, reason, message) in cases {
            let name = pod.metadata.name ?? ""
            _ = try harness.client.createPod(pod)
            let rejected = try harness.waitForPod(name, "rejected") { $0.status?.phase == .failed }
            XCTAssertEqual(rejected.status?.reason, reason, name)
            XCTAssertEqual(rejected.status?.message, "Pod was rejected: " + message, name)
            XCTAssertEqual(rejected.status?.qosClass, "BestEffort", name)
            XCTAssertNotNil(rejected.status?.startTime, name)
            XCTAssertNil(rejected.status?.containerStatuses, "nothing ran: \(name)")
            XCTAssertEqual(rejected.status?.conditions?.map(\.type), [.podScheduled], name)
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(rejected.uid)/pause"), "no sandbox: \(name)")
            try harness.waitFor("the \(reason) event of \(name)", timeout: 10) {
                let events = (try? self.harness.client.listEvents(namespace: "default").items) ?? []
                return events.contains {
                    $0.involvedObject.uid == rejected.uid && $0.type == "Warning" && $0.reason == reason && $0.message == message
                }
            }
        }
        for name in ["windows-field", "windows-label"] {
            _ = try harness.client.deletePod(namespace: "default", name: name, gracePeriodSeconds: 0)
        }
    }
}
