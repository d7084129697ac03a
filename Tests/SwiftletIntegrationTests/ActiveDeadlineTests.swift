import Foundation
import SwiftletKube
import XCTest

/// `spec.activeDeadlineSeconds` with real pods: once the pod has been active that long after its
/// `status.startTime`, every container (the sidecar too) is stopped and the pod fails with the
/// kubelet's `DeadlineExceeded`; after a kill -9 of the agent the deadline still counts from the
/// pod's original start.
final class ActiveDeadlineTests: IntegrationTestCase {
    private func deadlineEvents(_ name: String) -> [Event] {
        ((try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=\(name)").items) ?? [])
            .filter { $0.reason == "DeadlineExceeded" }
    }

    func testPodPastItsDeadlineIsKilledAndFails() throws {
        try harness.write(
            "bounded.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: bounded}
            spec:
              activeDeadlineSeconds: 2
              terminationGracePeriodSeconds: 1
              initContainers:
              - {name: proxy, image: busybox, restartPolicy: Always, command: ["sh", "-c", "exec sleep 3600"]}
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "exec sleep 3600"]}
            """)
        let running = try harness.waitForRunning("bounded")
        let pausePID = try harness.pausePid(running)
        let failed = try harness.waitForPod("bounded", timeout: 60, "phase Failed") { $0.status?.phase == .failed }
        let status = try XCTUnwrap(failed.status)
        XCTAssertEqual(status.reason, "DeadlineExceeded")
        XCTAssertEqual(status.message, "Pod was active on the node longer than the specified deadline")
        let start = try XCTUnwrap(status.startTime?.date)
        for container in (status.containerStatuses ?? []) + (status.initContainerStatuses ?? []) {
            let terminated = try XCTUnwrap(container.state.terminated, "\(container.name) is terminated")
            XCTAssertGreaterThanOrEqual(
                try XCTUnwrap(terminated.finishedAt?.date), start.addingTimeInterval(2), "\(container.name) ran until the deadline")
            XCTAssertEqual(container.restartCount, 0)
        }
        XCTAssertEqual(status.initContainerStatuses?.count, 1)
        XCTAssertFalse(DaemonHarness.isRunning(pausePID), "the sandbox is stopped")
        XCTAssertEqual(harness.leakedProcesses(), [], "no process of the pod is left")
        try harness.waitFor("the DeadlineExceeded event", timeout: 10) { !self.deadlineEvents("bounded").isEmpty }
        let event = try XCTUnwrap(deadlineEvents("bounded").first)
        XCTAssertEqual(event.type, "Normal")
        XCTAssertEqual(event.message, "Pod was active on the node longer than the specified deadline")
        XCTAssertEqual(event.count, 1)
    }

    func testDeadlineCountsFromTheOriginalStartAfterAnAgentRestart() throws {
        try harness.write(
            "survivor.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: survivor}
            spec:
              activeDeadlineSeconds: 5
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "exec sleep 3600"]}
            """)
        let running = try harness.waitForRunning("survivor")
        let start = try XCTUnwrap(running.status?.startTime)
        harness.kill9()
        // The deadline passes while no agent runs.
        Thread.sleep(forTimeInterval: max(start.date.addingTimeInterval(6).timeIntervalSinceNow, 0))
        try harness.start()
        let failed = try harness.waitForPod("survivor", timeout: 60, "phase Failed") { $0.status?.phase == .failed }
        XCTAssertEqual(failed.uid, running.uid)
        XCTAssertEqual(failed.status?.reason, "DeadlineExceeded")
        XCTAssertEqual(failed.status?.startTime, start, "the original start time")
        XCTAssertNotNil(failed.status?.containerStatuses?.first?.state.terminated)
        XCTAssertEqual(harness.leakedProcesses(), [], "no process of the pod is left")
    }
}
