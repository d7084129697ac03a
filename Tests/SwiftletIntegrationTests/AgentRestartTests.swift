import Foundation
import SwiftletKube
import XCTest

/// kill -9 of the agent: pods keep running, a restarted agent re-adopts them without restarting
/// anything, and exits that happened while it was down are reported with their real codes.
final class AgentRestartTests: IntegrationTestCase {
    func testKillNineReadoptsPodsAndReportsExitsThatHappenedMeanwhile() throws {
        try harness.write(
            "survivors.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: steady}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "echo up; exec sleep 3600"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: quitter}
            spec:
              restartPolicy: OnFailure
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "if [ -e /tmp/again ]; then exec sleep 3600; fi; touch /tmp/again; sleep 2; exit 7"]}
            """)
        let steady = try harness.waitForRunning("steady")
        let quitter = try harness.waitForRunning("quitter")
        let steadyStatus = try XCTUnwrap(steady.status?.containerStatuses?.first)
        let pausePID = try harness.pausePid(steady)

        harness.kill9()
        // The quitter exits with 7 while no agent runs; its pause process records it.
        Thread.sleep(forTimeInterval: 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(quitter.uid)/status/main.0.exit"))
        XCTAssertEqual(try harness.pausePid(steady), pausePID)
        XCTAssertTrue(kill(pausePID, 0) == 0, "the pause process outlived the agent")

        try harness.start()
        let readopted = try harness.waitForRunning("steady")
        XCTAssertEqual(readopted.uid, steady.uid)
        let status = try XCTUnwrap(readopted.status?.containerStatuses?.first)
        XCTAssertEqual(status.restartCount, 0, "not restarted")
        XCTAssertEqual(status.containerID, steadyStatus.containerID)
        XCTAssertEqual(status.state.running?.startedAt, steadyStatus.state.running?.startedAt)
        XCTAssertEqual(try harness.pausePid(steady), pausePID, "the same sandbox")

        // The exit that happened in between is reported, then handled by the restart policy.
        let restarted = try harness.waitForPod("quitter", "the exit code 7 to be reported and the container restarted") { pod in
            let s = pod.status?.containerStatuses?.first
            return s?.lastState.terminated?.exitCode == 7 && s?.restartCount == 1 && s?.state.running != nil
        }
        XCTAssertEqual(restarted.uid, quitter.uid)
        XCTAssertEqual(restarted.status?.containerStatuses?.first?.lastState.terminated?.reason, "Error")
    }

    /// `status.startTime` lives in the API server on Kubernetes and survives kubelet restarts; here
    /// every pod's run directory keeps it: a running pod without a deadline, and a pod that never
    /// got a sandbox (waiting for cpu it will not get) keep theirs across a kill -9, and the waiting
    /// pod's warning is not recorded again.
    func testStartTimeSurvivesAnAgentRestart() throws {
        _ = try harness.client.createPod(DaemonHarness.sleeper("timed"))
        var greedy = DaemonHarness.sleeper("greedy")
        greedy.spec.containers[0].resources = ResourceRequirements(requests: ["cpu": Quantity(100_000)])
        _ = try harness.client.createPod(greedy)
        let running = try harness.waitForRunning("timed")
        let waiting = try harness.waitForPod("greedy", "OutOfcpu") { $0.status?.reason == "OutOfcpu" }
        let starts = [try XCTUnwrap(running.status?.startTime), try XCTUnwrap(waiting.status?.startTime)]
        let outOfCPU: () -> [Int32?] = {
            ((try? self.harness.client.listEvents(namespace: "default").items) ?? [])
                .filter { $0.involvedObject.uid == waiting.uid && $0.reason == "OutOfcpu" }.map(\.count)
        }
        // Events reach their file a moment after they are recorded; a kill -9 before would lose it.
        try harness.waitFor("the OutOfcpu event in the events file", timeout: 10) {
            let text = (try? String(contentsOfFile: self.harness.state + "/events/events.jsonl", encoding: .utf8)) ?? ""
            return text.contains("OutOfcpu")
        }
        harness.kill9()
        // Start times are whole seconds: a new one would differ from the old.
        let later = (starts.map(\.date).max() ?? Date()).addingTimeInterval(1.5)
        Thread.sleep(forTimeInterval: max(later.timeIntervalSinceNow, 0))
        try harness.start()
        let readopted = try harness.waitForRunning("timed")
        let stillWaiting = try harness.waitForPod("greedy", "OutOfcpu again") { $0.status?.reason == "OutOfcpu" }
        XCTAssertEqual(readopted.uid, running.uid)
        XCTAssertEqual(readopted.status?.startTime, starts[0], "the running pod's original start time")
        XCTAssertEqual(stillWaiting.status?.startTime, starts[1], "the waiting pod's original start time")
        // A second restart does not take the waiting pod, which never had a sandbox, for admitted.
        harness.kill9()
        try harness.start()
        let again = try harness.waitForPod("greedy", "OutOfcpu after a second restart") { $0.status?.reason == "OutOfcpu" }
        XCTAssertEqual(again.status?.startTime, starts[1])
        XCTAssertEqual(again.status?.phase, .pending)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(waiting.uid)/pod.json"), "no sandbox record")
        // Still waiting for the same reason: no second warning (a pod admitted after the restarts
        // has been synced, so the waiting one's first sync is done by then).
        _ = try harness.client.createPod(DaemonHarness.sleeper("after"))
        _ = try harness.waitForRunning("after")
        XCTAssertEqual(outOfCPU(), [1], "one OutOfcpu event, counted once")
        _ = try harness.client.deletePod(namespace: "default", name: "after", gracePeriodSeconds: 0)
        try harness.waitForGone("after")
        for name in ["timed", "greedy"] {
            _ = try harness.client.deletePod(namespace: "default", name: name, gracePeriodSeconds: 0)
            try harness.waitForGone(name)
        }
    }
}

