import Foundation
import SwiftletKube
import XCTest

/// Faults a node agent must survive: its own kill -9 at any point of pod creation and deletion, and
/// a container that ignores SIGTERM.
final class FaultTests: IntegrationTestCase {
    static let iterations = 20
    /// Fixed, so a failing iteration replays; printed with every failure.
    static let seed: UInt64 = 0x5EED_0010

    func testAgentKilledAtSeededPointsDuringCreationAndDeletionConverges() throws {
        var random = SeededGenerator(seed: Self.seed)
        for iteration in 0..<Self.iterations {
            let context = "seed \(Self.seed) iteration \(iteration)"
            // Creation: three API pods and one static pod, then kill -9 somewhere in their start-up.
            var uids: [String: String] = [:]
            for index in 0..<3 {
                let pod = try harness.client.createPod(DaemonHarness.sleeper("fault-\(iteration)-\(index)"))
                uids[pod.name] = pod.uid
            }
            try harness.write(
                "fault-\(iteration).yaml",
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: fault-\(iteration)-static}
                spec:
                  terminationGracePeriodSeconds: 0
                  initContainers:
                  - {name: prepare, image: busybox, command: ["true"]}
                  containers:
                  - {name: main, image: busybox, command: ["sh", "-c", "exec sleep 3600"]}
                """)
            usleep(UInt32.random(in: 0...400_000, using: &random))
            harness.kill9()
            try harness.start()
            for name in uids.keys.sorted() + ["fault-\(iteration)-static"] {
                let pod = try harness.waitForRunning(name, timeout: 60)
                if let uid = uids[name] { XCTAssertEqual(pod.uid, uid, "\(context): \(name) is the pod that was created") }
                uids[name] = pod.uid
                for status in pod.status?.containerStatuses ?? [] {
                    XCTAssertEqual(status.restartCount, 0, "\(context): \(name) was restarted by an agent crash")
                }
            }
            XCTAssertEqual(harness.leakedProcesses().filter { $0.contains("swiftlet-pause") }.count, 4, "\(context): one sandbox per pod")

            // Deletion: all four go, and the agent dies somewhere in their teardown.
            for index in 0..<3 {
                _ = try harness.client.deletePod(namespace: "default", name: "fault-\(iteration)-\(index)", gracePeriodSeconds: 0)
            }
            try harness.remove("fault-\(iteration).yaml")
            usleep(UInt32.random(in: 0...400_000, using: &random))
            harness.kill9()
            try harness.start()
            try harness.waitFor("\(context): all pods gone", timeout: 60) {
                ((try? self.harness.client.listPods(namespace: nil).items.count) ?? -1) == 0
            }
            for (name, uid) in uids {
                do {
                    try harness.waitFor("\(context): nothing left of \(name)", timeout: 30) { self.harness.leftovers(uid: uid).isEmpty }
                } catch {
                    throw HarnessError("\(error): \(harness.leftovers(uid: uid))")
                }
            }
        }
        XCTAssertEqual(harness.leftoverEntries(), [])
    }

    func testContainerIgnoringSIGTERMIsKilledAtTheGraceDeadline() throws {
        var pod = DaemonHarness.sleeper(
            "stubborn", grace: 3, command: ["sh", "-c", "trap 'echo got TERM' TERM; echo ready; while true; do sleep 1; done"])
        pod.metadata.labels = nil
        let created = try harness.client.createPod(pod)
        _ = try harness.waitForRunning("stubborn")
        _ = try harness.waitForLog("stubborn", "main", contains: "ready")
        let started = Date()
        _ = try harness.client.deletePod(namespace: "default", name: "stubborn")
        // SIGTERM is delivered first (the trap runs), and ignored.
        _ = try harness.waitForLog("stubborn", "main", contains: "got TERM")
        try harness.waitForGone("stubborn", timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        // Not before the deadline: the container had its 3 s. (No upper bound beyond the wait: the
        // default 30 s grace would have timed the wait out.)
        XCTAssertGreaterThanOrEqual(elapsed, 2.9, "killed before its grace period ended")
        try harness.waitFor("nothing left of stubborn", timeout: 30) { self.harness.leftovers(uid: created.uid).isEmpty }
    }
}
