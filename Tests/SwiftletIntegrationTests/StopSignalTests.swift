import Foundation
import SwiftletKube
import XCTest

/// `lifecycle.stopSignal` and the image's STOPSIGNAL (KEP-4960): the signal a container is
/// stopped with before SIGKILL at the grace deadline.
final class StopSignalTests: IntegrationTestCase {
    /// PID 1 ignores SIGTERM and leaves on SIGUSR1, saying so in its log and in a host file
    /// (the log goes with the pod on delete; the host file stays for the test to read).
    func manifest(name: String, image: String = "busybox", grace: Int, stopSignal: String?, out: String) -> String {
        let lifecycle = stopSignal.map { "\n    lifecycle: {stopSignal: \($0)}" } ?? ""
        let os = stopSignal == nil ? "" : "\n  os: {name: linux}"
        return """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:\(os)
              terminationGracePeriodSeconds: \(grace)
              containers:
              - name: main
                image: \(image)
                command: ["sh", "-c", "trap 'echo got-USR1; echo got-USR1 >> /out/trap; exit 0' USR1; trap '' TERM; touch /tmp/alive; echo ready; while true; do sleep 0.2; done"]\(lifecycle)
                livenessProbe:
                  exec: {command: ["test", "-f", "/tmp/alive"]}
                  periodSeconds: 1
                  failureThreshold: 1
                volumeMounts: [{name: out, mountPath: /out}]
              volumes:
              - name: out
                hostPath: {path: \(out), type: DirectoryOrCreate}
            """
    }

    func trapOutput(_ dir: String) -> String { (try? String(contentsOfFile: dir + "/trap", encoding: .utf8)) ?? "" }

    func testStopSignalStopsPromptlyOnDeleteAndOnALivenessKill() throws {
        let out = harness.root + "/usr1-out"
        // Two minutes of grace: a pod gone within the wait below was stopped by the signal, not by SIGKILL.
        try harness.write("usr1.yaml", manifest(name: "usr1", grace: 120, stopSignal: "SIGUSR1", out: out))
        let pod = try harness.waitForRunning("usr1")
        XCTAssertEqual(pod.status?.containerStatuses?.first?.stopSignal, "SIGUSR1")
        _ = try harness.waitForLog("usr1", "main", contains: "ready")

        // A liveness failure stops the container the same way: its trap's line is in the previous log.
        let remove = try swiftlet(["exec", "usr1", "--", "rm", "/tmp/alive"])
        XCTAssertEqual(remove.status, 0, remove.stderr)
        try harness.waitForPod("usr1", timeout: 90, "a restart after the liveness failure") {
            ($0.status?.containerStatuses?.first?.restartCount ?? 0) >= 1
        }
        XCTAssertTrue(harness.logs("usr1", "main", previous: true).contains("got-USR1"))
        let last = harness.pod("usr1")?.status?.containerStatuses?.first?.lastState.terminated
        XCTAssertEqual(last?.exitCode, 0, "the trap's exit, not SIGKILL's 137")

        _ = try harness.waitForLog("usr1", "main", contains: "ready")
        try harness.remove("usr1.yaml")
        try harness.waitForGone("usr1", timeout: 90)
        XCTAssertEqual(trapOutput(out), "got-USR1\ngot-USR1\n")
    }

    /// Without a stop signal the container gets SIGTERM, which it ignores: it runs until the grace
    /// deadline and is killed there, its USR1 trap never running.
    func testWithoutStopSignalTheContainerRunsUntilTheGraceDeadline() throws {
        let out = harness.root + "/term-out"
        try harness.write("term.yaml", manifest(name: "term", grace: 3, stopSignal: nil, out: out))
        let pod = try harness.waitForRunning("term")
        XCTAssertEqual(pod.status?.containerStatuses?.first?.stopSignal, "SIGTERM")
        _ = try harness.waitForLog("term", "main", contains: "ready")
        let started = Date()
        try harness.remove("term.yaml")
        try harness.waitForGone("term", timeout: 60)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2.9, "stopped before the grace deadline")
        XCTAssertEqual(trapOutput(out), "")
    }

    /// An image's STOPSIGNAL applies when the spec names none, also to a container an earlier
    /// agent started (the new one reads the signal from the image store).
    func testImageStopSignalAlsoAfterAnAgentRestart() throws {
        try DaemonHarness.runTool(
            DaemonHarness.binaries + "/swiftlet",
            ["images", "import", "--state-dir", harness.state, "--name", "busybox-usr1", "--cmd", "sh",
             "--stop-signal", "USR1", DaemonHarness.busyboxRootfs])
        let out = harness.root + "/image-out"
        try harness.write("imagesig.yaml", manifest(name: "imagesig", image: "busybox-usr1", grace: 120, stopSignal: nil, out: out))
        let pod = try harness.waitForRunning("imagesig")
        XCTAssertEqual(pod.status?.containerStatuses?.first?.stopSignal, "SIGUSR1")
        _ = try harness.waitForLog("imagesig", "main", contains: "ready")
        harness.kill9()
        try harness.start(daemonArguments)
        let adopted = try harness.waitForRunning("imagesig")
        XCTAssertEqual(adopted.uid, pod.uid)
        XCTAssertEqual(adopted.status?.containerStatuses?.first?.restartCount, 0, "re-adopted, not restarted")
        XCTAssertEqual(adopted.status?.containerStatuses?.first?.stopSignal, "SIGUSR1")
        try harness.remove("imagesig.yaml")
        try harness.waitForGone("imagesig", timeout: 90)
        XCTAssertEqual(trapOutput(out), "got-USR1\n")
    }

    /// The API server's check: a stop signal needs `spec.os.name`.
    func testStopSignalWithoutOSIsRejected() throws {
        var pod = Pod(
            metadata: ObjectMeta(name: "noos", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "main", image: "busybox", command: ["sleep", "1"])]))
        pod.spec.containers[0].lifecycle = Lifecycle(stopSignal: "SIGUSR1")
        XCTAssertThrowsError(try harness.client.createPod(pod)) { error in
            XCTAssertTrue(
                "\(error)".contains("spec.containers[0].lifecycle.stopSignal: Forbidden: may not be set for containers with empty `spec.os.name`"),
                "\(error)")
        }
    }
}
