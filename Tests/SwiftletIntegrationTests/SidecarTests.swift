import Foundation
import SwiftletKube
import XCTest

/// Native sidecars (`initContainers[*].restartPolicy: Always`, KEP-753) with real pods: start
/// gating by the startup probe, restarts under any pod restartPolicy, Job-style completion and the
/// termination order. The order of events is read from files the containers write to a hostPath
/// directory of the test, which outlives the pod.
final class SidecarTests: IntegrationTestCase {
    func hostDir(_ name: String) throws -> String {
        let dir = harness.root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The next init container starts only once the sidecar's startup probe passed; the app then
    /// runs beside the sidecar.
    func testNextInitContainerWaitsForTheSidecarsStartupProbe() throws {
        let shared = try hostDir("startup")
        try harness.write(
            "startup.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: startup}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              initContainers:
              - name: proxy
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "sleep 2; echo proxy-ready > /shared/ready; exec sleep 3600"]
                startupProbe:
                  exec: {command: ["test", "-f", "/shared/ready"]}
                  periodSeconds: 1
                  failureThreshold: 60
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: check
                image: busybox
                command: ["sh", "-c", "cat /shared/ready && echo check-ran >> /shared/order"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "echo app-started >> /shared/order; exec sleep 3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              volumes:
              - name: shared
                hostPath: {path: \(shared), type: Directory}
            """)
        // Under restartPolicy Never a `check` that ran before the proxy was ready would fail the pod.
        let pod = try harness.waitForPod("startup", timeout: 60, "the app running beside the sidecar") { pod in
            pod.status?.phase == .failed
                || (pod.status?.containerStatuses?.first?.state.running != nil
                    && pod.status?.initContainerStatuses?.first?.state.running != nil)
        }
        XCTAssertEqual(pod.status?.phase, .running, DaemonHarness.describe(pod.status))
        let sidecar = pod.status?.initContainerStatuses?.first { $0.name == "proxy" }
        XCTAssertEqual(sidecar?.started, true)
        XCTAssertEqual(sidecar?.restartCount, 0)
        let check = pod.status?.initContainerStatuses?.first { $0.name == "check" }
        XCTAssertEqual(check?.state.terminated?.exitCode, 0)
        XCTAssertEqual(harness.logs("startup", "check"), "proxy-ready\n")
        XCTAssertEqual(lines(shared + "/order"), ["check-ran", "app-started"])
        XCTAssertEqual(pod.status?.conditions?.first { $0.type == .initialized }?.status, .true)
    }

    /// A sidecar that keeps exiting is restarted with the crash-loop back-off, even under pod
    /// restartPolicy Never, while the app keeps running and the pod stays Running.
    func testExitingSidecarIsRestartedWithBackOffUnderNever() throws {
        try harness.write(
            "crashing.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: crashing}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              initContainers:
              - {name: proxy, image: busybox, restartPolicy: Always, command: ["sh", "-c", "echo up; exit 3"]}
              containers:
              - {name: app, image: busybox, command: ["sleep", "3600"]}
            """)
        let pod = try harness.waitForPod("crashing", timeout: 60, "three sidecar restarts") { pod in
            (pod.status?.initContainerStatuses?.first?.restartCount ?? 0) >= 3
        }
        XCTAssertEqual(pod.status?.phase, .running)
        XCTAssertEqual(pod.status?.initContainerStatuses?.first?.lastState.terminated?.exitCode, 3)
        XCTAssertEqual(pod.status?.containerStatuses?.first?.restartCount, 0)
        XCTAssertNotNil(pod.status?.containerStatuses?.first?.state.running)
        let events = (try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=crashing").items) ?? []
        XCTAssertTrue(
            events.contains { $0.reason == "BackOff" && $0.message.hasPrefix("Back-off restarting failed container proxy in pod crashing_default(") },
            events.map { "\($0.reason): \($0.message)" }.joined(separator: "\n"))
    }

    /// A Job-style pod succeeds when its app exits 0 although the sidecar still ran; the sidecar is
    /// then stopped with its stop signal (its TERM trap exits 0) and no process of the pod is left.
    func testJobStylePodSucceedsAndItsSidecarIsStopped() throws {
        let shared = try hostDir("job")
        try harness.write(
            "job.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: job}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 30
              initContainers:
              - name: proxy
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "trap 'echo proxy-stopped >> /shared/order; exit 0' TERM; while true; do sleep 0.2; done"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: work
                image: busybox
                command: ["sh", "-c", "sleep 1; echo work-done >> /shared/order"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              volumes:
              - name: shared
                hostPath: {path: \(shared), type: Directory}
            """)
        let done = try harness.waitForPod("job", timeout: 60, "phase Succeeded") { $0.status?.phase == .succeeded }
        XCTAssertEqual(done.status?.containerStatuses?.first?.state.terminated?.reason, "Completed")
        try harness.waitFor("the sidecar to be reported stopped", timeout: 30) {
            harness.pod("job")?.status?.initContainerStatuses?.first?.state.terminated != nil
        }
        let sidecar = harness.pod("job")?.status?.initContainerStatuses?.first
        XCTAssertEqual(sidecar?.state.terminated?.exitCode, 0, "stopped by its stop signal, not by SIGKILL")
        XCTAssertEqual(harness.pod("job")?.status?.phase, .succeeded)
        XCTAssertEqual(lines(shared + "/order"), ["work-done", "proxy-stopped"])
        let uid = done.uid
        try harness.waitFor("no process of the pod left", timeout: 30) {
            harness.leakedProcesses().filter { $0.contains(uid) }.isEmpty
        }
    }

    /// On delete: the sidecars' preStop runs at once, the app stops first, then the sidecars in
    /// reverse spec order. Each TERM trap takes a moment before it records itself, so stopping
    /// everything at once would write the sidecars before the app.
    func testDeleteStopsTheAppThenSidecarsInReverseOrder() throws {
        let shared = try hostDir("order")
        func trap(_ name: String) -> String {
            "trap 'sleep 1; echo \(name) >> /shared/order; exit 0' TERM; echo trap-set; while true; do sleep 0.2; done"
        }
        try harness.write(
            "order.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: order}
            spec:
              terminationGracePeriodSeconds: 60
              initContainers:
              - name: first
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "\(trap("first"))"]
                lifecycle:
                  preStop:
                    exec: {command: ["sh", "-c", "echo first-prestop >> /shared/order"]}
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: second
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "\(trap("second"))"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "\(trap("app"))"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              volumes:
              - name: shared
                hostPath: {path: \(shared), type: Directory}
            """)
        let pod = try harness.waitForPod("order", timeout: 60, "every container running") { pod in
            (pod.status?.containerStatuses ?? []).allSatisfy { $0.state.running != nil }
                && (pod.status?.initContainerStatuses ?? []).count == 2
                && (pod.status?.initContainerStatuses ?? []).allSatisfy { $0.state.running != nil }
        }
        for container in ["first", "second", "app"] {
            _ = try harness.waitForLog("order", container, contains: "trap-set")
        }
        try harness.remove("order.yaml")
        try harness.waitForGone("order", timeout: 60)
        XCTAssertEqual(lines(shared + "/order"), ["first-prestop", "app", "second", "first"])
        XCTAssertTrue(harness.leftovers(uid: pod.uid).isEmpty, harness.leftovers(uid: pod.uid).joined(separator: "\n"))
    }

    /// When the app used the whole grace period (it ignores SIGTERM and is killed at the deadline),
    /// the sidecar still gets the kubelet's 2 s between its stop signal and SIGKILL.
    func testSidecarKeepsTheMinimumGraceAfterTheAppUsedItUp() throws {
        let shared = try hostDir("minimum")
        try harness.write(
            "minimum.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: minimum}
            spec:
              terminationGracePeriodSeconds: 2
              initContainers:
              - name: proxy
                image: busybox
                restartPolicy: Always
                command: ["sh", "-c", "trap 'sleep 1; echo proxy-drained >> /shared/order; exit 0' TERM; echo trap-set; while true; do sleep 0.2; done"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c", "trap '' TERM; echo trap-set; while true; do sleep 0.2; done"]
              volumes:
              - name: shared
                hostPath: {path: \(shared), type: Directory}
            """)
        _ = try harness.waitForPod("minimum", timeout: 60, "both running") { pod in
            pod.status?.containerStatuses?.first?.state.running != nil
                && pod.status?.initContainerStatuses?.first?.state.running != nil
        }
        _ = try harness.waitForLog("minimum", "proxy", contains: "trap-set")
        _ = try harness.waitForLog("minimum", "app", contains: "trap-set")
        try harness.remove("minimum.yaml")
        try harness.waitForGone("minimum", timeout: 60)
        XCTAssertEqual(lines(shared + "/order"), ["proxy-drained"])
    }
}
