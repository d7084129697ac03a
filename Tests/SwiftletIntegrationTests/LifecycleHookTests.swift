import Foundation
import SwiftletKube
import XCTest

/// postStart and preStop hooks as the kubelet runs them.
final class LifecycleHookTests: IntegrationTestCase {
    func events(_ pod: String) -> [Event] {
        (try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=\(pod)").items) ?? []
    }

    func restarts(_ pod: Pod) -> Int32 { pod.status?.containerStatuses?.first?.restartCount ?? 0 }

    /// The hook writes a file the main process waits for; the container is Running only once the hook is done.
    func testPostStartRunsBeforeTheContainerCountsAsRunning() throws {
        try harness.write(
            "poststart.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: poststart}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "while [ ! -f /tmp/poststart ]; do sleep 0.1; done; cat /tmp/poststart; exec sleep 3600"]
                lifecycle:
                  postStart:
                    exec: {command: ["sh", "-c", "sleep 1; echo written-by-poststart > /tmp/poststart"]}
            """)
        _ = try harness.waitForRunning("poststart")
        let read = try swiftlet(["exec", "poststart", "--", "cat", "/tmp/poststart"])
        XCTAssertEqual(read.stdout, "written-by-poststart\n", "Running before postStart finished: \(read.stderr)")
        _ = try harness.waitForLog("poststart", "main", contains: "written-by-poststart")
    }

    func testFailingPostStartKillsAndRestartsTheContainer() throws {
        try harness.write(
            "badhook.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: badhook}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                lifecycle:
                  postStart:
                    exec: {command: ["sh", "-c", "echo hook-broke; exit 3"]}
            """)
        try harness.waitForPod("badhook", timeout: 60, "a restart after the failed hook") { self.restarts($0) >= 1 }
        let all = events("badhook")
        let everything = (try? harness.client.listEvents(namespace: nil).items) ?? []
        let text = everything.map { "\($0.involvedObject.name) \($0.involvedObject.fieldPath ?? "-") \($0.reason): \($0.message)" }.joined(separator: "\n")
        XCTAssertTrue(
            all.contains {
                $0.reason == "FailedPostStartHook" && $0.type == "Warning"
                    && $0.message.hasPrefix("Exec lifecycle hook ([sh -c echo hook-broke; exit 3]) for Container \"main\" in Pod \"badhook_default(")
                    && $0.message.contains("hook-broke")
            }, text)
        XCTAssertTrue(all.contains { $0.reason == "Killing" && $0.message == "FailedPostStartHook" }, text)
    }

    /// A liveness failure stops the container: preStop runs first (writing to the container's log
    /// through PID 1's stdout), then SIGTERM.
    func testPreStopRunsBeforeSIGTERMAndItsOutputIsInTheLog() throws {
        try harness.write(
            "prestop.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: prestop}
            spec:
              terminationGracePeriodSeconds: 10
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "touch /tmp/alive; trap 'echo got-SIGTERM; exit 0' TERM; echo started; while true; do sleep 0.2; done"]
                livenessProbe:
                  exec: {command: ["test", "-f", "/tmp/alive"]}
                  periodSeconds: 1
                  failureThreshold: 1
                lifecycle:
                  preStop:
                    exec: {command: ["sh", "-c", "echo pre-stop-ran > /proc/1/fd/1; sleep 1"]}
            """)
        _ = try harness.waitForRunning("prestop")
        _ = try harness.waitForLog("prestop", "main", contains: "started")
        let remove = try swiftlet(["exec", "prestop", "--", "rm", "/tmp/alive"])
        XCTAssertEqual(remove.status, 0, remove.stderr)
        try harness.waitForPod("prestop", timeout: 60, "a restart after the liveness failure") { self.restarts($0) >= 1 }
        let previous = harness.logs("prestop", "main", previous: true)
        let hook = try XCTUnwrap(previous.range(of: "pre-stop-ran"), previous)
        let term = try XCTUnwrap(previous.range(of: "got-SIGTERM"), previous)
        XCTAssertLessThan(hook.lowerBound, term.lowerBound, "preStop before SIGTERM: \(previous)")
    }

    /// A preStop that outlasts terminationGracePeriodSeconds is cut off at the deadline.
    func testPreStopIsCutOffAtTheGraceDeadline() throws {
        try harness.write(
            "slowstop.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: slowstop}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                lifecycle:
                  preStop:
                    exec: {command: ["sleep", "600"]}
            """)
        _ = try harness.waitForRunning("slowstop")
        try harness.remove("slowstop.yaml")
        // Ten minutes of hook against a two-second grace period: gone long before the hook would end.
        try harness.waitForGone("slowstop", timeout: 60)
    }
}
