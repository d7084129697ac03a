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

    /// The kubelet never re-admits a pod that is already Failed: after a kill -9 the rejected pod
    /// is published with the status it had (reason, message, start time, condition time), and no
    /// second rejection event is recorded.
    func testRejectedPodStaysRejectedAcrossAnAgentRestart() throws {
        var pod = DaemonHarness.sleeper("windows-restart")
        pod.spec.os = PodOS(name: "windows")
        _ = try harness.client.createPod(pod)
        let rejected = try harness.waitForPod("windows-restart", "rejected") { $0.status?.phase == .failed }
        let rejections: () -> [Event] = {
            ((try? self.harness.client.listEvents(namespace: "default").items) ?? []).filter {
                $0.involvedObject.uid == rejected.uid && $0.reason == "PodOSNotSupported"
            }
        }
        try harness.waitFor("the PodOSNotSupported event", timeout: 10) { !rejections().isEmpty }
        // Events reach their file a moment after they are recorded; a kill -9 before would lose it.
        try harness.waitFor("the event in the events file", timeout: 10) {
            let text = (try? String(contentsOfFile: self.harness.state + "/events/events.jsonl", encoding: .utf8)) ?? ""
            return text.contains("PodOSNotSupported")
        }
        harness.kill9()
        // Start times are whole seconds: a second rejection would stamp a new one.
        let later = (rejected.status?.startTime?.date ?? Date()).addingTimeInterval(1.5)
        Thread.sleep(forTimeInterval: max(later.timeIntervalSinceNow, 0))
        try harness.start()
        let first = try XCTUnwrap(harness.pod("windows-restart"), "published at start")
        XCTAssertEqual(first.status, rejected.status, "the rejected status as it was, from the first publication on")
        // A pod admitted after the restart has been synced; the rejected one's first sync is done by then.
        _ = try harness.client.createPod(DaemonHarness.sleeper("after-restart"))
        _ = try harness.waitForRunning("after-restart")
        XCTAssertEqual(harness.pod("windows-restart")?.status, rejected.status)
        XCTAssertEqual(rejections().map(\.count), [1], "one rejection event, counted once")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(rejected.uid)/pause"), "still no sandbox")
        for name in ["windows-restart", "after-restart"] {
            _ = try harness.client.deletePod(namespace: "default", name: name, gracePeriodSeconds: 0)
            try harness.waitForGone(name)
        }
    }
}

