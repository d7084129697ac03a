import Foundation
import SwiftletKube
import XCTest

/// Sidecars (KEP-753) and a sandbox that dies under its pod.
final class SandboxLifecycleTests: IntegrationTestCase {
    func testSidecarStartsBeforeTheAppRestartsOnExitAndDoesNotBlockCompletion() throws {
        try harness.write(
            "sidecar.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: withsidecar}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: proxy
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "echo proxy-up; if [ -e /tmp/crashed ]; then exec sleep 3600; fi; touch /tmp/crashed; sleep 1; exit 5"]
              containers:
              - {name: job, image: busybox, command: ["sh", "-c", "echo working; sleep 3; echo done"]}
            """)
        let running = try harness.waitForPod("withsidecar", "the app to run beside the sidecar") { pod in
            pod.status?.containerStatuses?.first?.state.running != nil
                && pod.status?.initContainerStatuses?.first?.state.running != nil
        }
        XCTAssertEqual(running.status?.phase, .running)
        // The sidecar exits (5) and is restarted even under restartPolicy Never.
        let restarted = try harness.waitForPod("withsidecar", "the sidecar to be restarted") { pod in
            (pod.status?.initContainerStatuses?.first?.restartCount ?? 0) >= 1
        }
        XCTAssertEqual(restarted.status?.initContainerStatuses?.first?.lastState.terminated?.exitCode, 5)
        // The app finishes: the pod completes although the sidecar never exits by itself.
        let done = try harness.waitForPod("withsidecar", timeout: 30, "phase Succeeded") { $0.status?.phase == .succeeded }
        XCTAssertEqual(done.status?.containerStatuses?.first?.state.terminated?.reason, "Completed")
        XCTAssertNotNil(done.status?.initContainerStatuses?.first?.state.terminated, "the sidecar was stopped after the app")
        let start = try record(done, "proxy", 0, "start")
        let app = try record(done, "job", 0, "start")
        XCTAssertLessThan(start, app, "the sidecar started first")
        XCTAssertTrue(harness.leakedProcesses().filter { $0.contains(done.uid) }.isEmpty)
    }

    func testKilledPauseProcessRecreatesTheSandboxAndRestartsItsContainers() throws {
        try harness.write(
            "fragile.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: fragile}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "echo started; exec sleep 3600"]}
            """)
        let before = try harness.waitForRunning("fragile")
        let pausePath = "\(harness.run)/pods/\(before.uid)/pause"
        let oldPause = try pausePid(pausePath)
        kill(oldPause, SIGKILL)
        let after = try harness.waitForPod("fragile", "a new sandbox and a restarted container") { pod in
            let s = pod.status?.containerStatuses?.first
            return s?.state.running != nil && (s?.restartCount ?? 0) >= 1
        }
        XCTAssertEqual(after.uid, before.uid)
        XCTAssertNotEqual(try pausePid(pausePath), oldPause)
        let processes = harness.leakedProcesses().filter { $0.contains("sleep 3600") || $0.contains(before.uid) }
        XCTAssertEqual(processes.filter { $0.contains("swiftlet-pause") }.count, 1, "\(processes)")
    }

    func pausePid(_ path: String) throws -> Int32 {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pid=") }), let pid = Int32(line.dropFirst(4))
        else { throw HarnessError("no pid in \(path)") }
        return pid
    }

    func record(_ pod: Pod, _ container: String, _ attempt: Int, _ kind: String) throws -> Double {
        let path = "\(harness.run)/pods/\(pod.uid)/status/\(container).\(attempt).\(kind)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("startedAt=") }),
            let value = Double(line.dropFirst(10))
        else { throw HarnessError("bad record \(path)") }
        return value
    }
}
