import Foundation
import SwiftletKube
import XCTest

/// terminationMessagePath / terminationMessagePolicy as the kubelet reports them.
final class TerminationMessageTests: IntegrationTestCase {
    private func terminated(_ pod: Pod, _ container: String) -> ContainerStateTerminated? {
        pod.status?.containerStatuses?.first { $0.name == container }?.state.terminated
    }

    /// A non-root container writes the default file; another writes more than 4096 bytes to its own
    /// path; the message is what they wrote (the last 4096 bytes).
    func testFileIsWritableByAnyUserAndReadAtExit() throws {
        try harness.write(
            "msgfile.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: msgfile}
            spec:
              restartPolicy: Never
              containers:
              - name: nonroot
                image: busybox
                securityContext: {runAsUser: 1000, runAsGroup: 1000}
                command: ["sh", "-c", "printf 'bye from %s' $(id -u) > /dev/termination-log; exit 3"]
              - name: long
                image: busybox
                terminationMessagePath: /tmp/custom-message
                command: ["sh", "-c", "head -c 5000 /dev/zero | tr '\\\\0' a > /tmp/custom-message; printf END >> /tmp/custom-message"]
            """)
        let pod = try harness.waitForPod("msgfile", timeout: 60, "both containers terminated") {
            self.terminated($0, "nonroot") != nil && self.terminated($0, "long") != nil
        }
        XCTAssertEqual(terminated(pod, "nonroot")?.exitCode, 3)
        XCTAssertEqual(terminated(pod, "nonroot")?.reason, "Error")
        XCTAssertEqual(terminated(pod, "nonroot")?.message, "bye from 1000")
        XCTAssertEqual(terminated(pod, "long")?.reason, "Completed")
        XCTAssertEqual(terminated(pod, "long")?.message, String(repeating: "a", count: 4093) + "END")
    }

    /// FallbackToLogsOnError: a failed run with an empty file reports its log's last 80 lines, at
    /// most 2048 bytes; a successful one reports nothing; a written file wins over the log.
    func testFallbackToLogsOnError() throws {
        let line = #"line $i padding-padding-padding-padding-padding"#
        try harness.write(
            "msglogs.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: msglogs}
            spec:
              restartPolicy: Never
              containers:
              - name: failed
                image: busybox
                terminationMessagePolicy: FallbackToLogsOnError
                command: ["sh", "-c", "i=0; while [ $i -lt 100 ]; do echo \\"\(line)\\"; i=$((i+1)); done; exit 1"]
              - name: succeeded
                image: busybox
                terminationMessagePolicy: FallbackToLogsOnError
                command: ["sh", "-c", "echo all good"]
              - name: written
                image: busybox
                terminationMessagePolicy: FallbackToLogsOnError
                command: ["sh", "-c", "echo noise; echo -n from-file > /dev/termination-log; exit 2"]
            """)
        let pod = try harness.waitForPod("msglogs", timeout: 60, "every container terminated") { pod in
            ["failed", "succeeded", "written"].allSatisfy { self.terminated(pod, $0) != nil }
        }
        let lastLines = (20..<100).map { "line \($0) padding-padding-padding-padding-padding\n" }.joined()
        XCTAssertEqual(terminated(pod, "failed")?.message, String(lastLines.suffix(2048)))
        XCTAssertNil(terminated(pod, "succeeded")?.message)
        XCTAssertEqual(terminated(pod, "written")?.message, "from-file")
    }

    /// The message of the run before a restart stays in lastState.
    func testMessageOfThePreviousRunIsInLastState() throws {
        try harness.write(
            "msgrestart.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: msgrestart}
            spec:
              restartPolicy: OnFailure
              terminationGracePeriodSeconds: 0
              volumes: [{name: data, emptyDir: {}}]
              containers:
              - name: main
                image: busybox
                volumeMounts: [{name: data, mountPath: /data}]
                command: ["sh", "-c", "if [ -f /data/ran ]; then exec sleep 3600; fi; touch /data/ran; echo -n first-run > /dev/termination-log; exit 4"]
            """)
        let pod = try harness.waitForPod("msgrestart", timeout: 60, "the second run") {
            let s = $0.status?.containerStatuses?.first
            return s?.restartCount == 1 && s?.state.running != nil
        }
        let last = pod.status?.containerStatuses?.first?.lastState.terminated
        XCTAssertEqual(last?.exitCode, 4)
        XCTAssertEqual(last?.message, "first-run")
    }
}
