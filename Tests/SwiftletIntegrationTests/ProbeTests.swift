import Foundation
import SwiftletKube
import XCTest

/// The Kubernetes documentation's probe examples ("Configure Liveness, Readiness and Startup
/// Probes"), with shorter periods: restart counts rise when liveness fails, Ready follows readiness.
final class ProbeTests: IntegrationTestCase {
    func events(_ pod: String) -> [Event] {
        (try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=\(pod)").items) ?? []
    }

    func status(_ pod: Pod, _ container: String) -> ContainerStatus? {
        (pod.status?.containerStatuses ?? []).first { $0.name == container }
    }

    func condition(_ pod: Pod, _ type: String) -> String? {
        pod.status?.conditions?.first { $0.type.rawValue == type }?.status.rawValue
    }

    /// exec liveness: the container deletes its own health file, the probe fails, it is restarted.
    func testExecLivenessRestartsTheContainerWhenItsHealthFileGoes() throws {
        try harness.write(
            "liveness-exec.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness-exec}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: liveness
                image: busybox
                args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 2; rm -f /tmp/healthy; sleep 600"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/healthy"]}
                  initialDelaySeconds: 1
                  periodSeconds: 1
                  failureThreshold: 2
            """)
        let pod = try harness.waitForPod("liveness-exec", timeout: 60, "a restart after failed liveness probes") {
            (self.status($0, "liveness")?.restartCount ?? 0) >= 1
        }
        XCTAssertEqual(status(pod, "liveness")?.lastState.terminated?.exitCode, 137, HarnessError.describe(pod))
        let all = events("liveness-exec")
        XCTAssertTrue(
            all.contains { $0.reason == "Unhealthy" && $0.type == "Warning" && $0.message.hasPrefix("Liveness probe failed: cat: can't open '/tmp/healthy'") == true },
            all.map { "\($0.reason): \($0.message)" }.joined(separator: "\n"))
        XCTAssertTrue(
            all.contains { $0.reason == "Killing" && $0.message == "Container liveness failed liveness probe, will be restarted" },
            all.map { "\($0.reason): \($0.message)" }.joined(separator: "\n"))
    }

    /// httpGet liveness against busybox httpd, port by name and a custom header; the handler starts
    /// answering 404 and the container is restarted. Also: the pod has no route from the host.
    func testHTTPGetLivenessAgainstBusyboxHTTPD() throws {
        try harness.write(
            "liveness-http.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness-http}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: liveness
                image: busybox
                ports: [{name: liveness-port, containerPort: 8080}]
                args: ["/bin/sh", "-c", "mkdir -p /www; echo ok > /www/healthz; (sleep 3; rm /www/healthz) & exec httpd -f -p 8080 -h /www"]
                livenessProbe:
                  httpGet:
                    path: /healthz
                    port: liveness-port
                    httpHeaders: [{name: Custom-Header, value: Awesome}]
                  initialDelaySeconds: 1
                  periodSeconds: 1
                  failureThreshold: 2
            """)
        let running = try harness.waitForPod("liveness-http", timeout: 30, "ready while /healthz answers") {
            self.status($0, "liveness")?.ready == true && self.status($0, "liveness")?.restartCount == 0
        }
        XCTAssertEqual(condition(running, "Ready"), "True")
        try harness.waitForPod("liveness-http", timeout: 60, "a restart after /healthz went 404") {
            (self.status($0, "liveness")?.restartCount ?? 0) >= 1
        }
        XCTAssertTrue(
            events("liveness-http").contains { $0.message == "Liveness probe failed: HTTP probe failed with statuscode: 404" },
            events("liveness-http").map { $0.message }.joined(separator: "\n"))
    }

    /// tcpSocket readiness: Ready only while something listens on the port (switched with exec).
    func testTCPSocketReadinessDrivesReadyBothWays() throws {
        try harness.write(
            "goproxy.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: goproxy}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: goproxy
                image: busybox
                command: ["sleep", "3600"]
                ports: [{containerPort: 8080}]
                readinessProbe:
                  tcpSocket: {port: 8080}
                  periodSeconds: 1
                  failureThreshold: 1
            """)
        var pod = try harness.waitForRunning("goproxy")
        XCTAssertEqual(status(pod, "goproxy")?.ready, false)
        XCTAssertEqual(condition(pod, "ContainersReady"), "False")
        let start = try swiftlet(["exec", "goproxy", "--", "httpd", "-p", "8080", "-h", "/tmp"])
        XCTAssertEqual(start.status, 0, start.stderr)
        pod = try harness.waitForPod("goproxy", timeout: 30, "Ready once the port listens") {
            self.condition($0, "Ready") == "True" && self.status($0, "goproxy")?.ready == true
        }
        XCTAssertEqual(condition(pod, "ContainersReady"), "True")
        let stop = try swiftlet(["exec", "goproxy", "--", "killall", "httpd"])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        pod = try harness.waitForPod("goproxy", timeout: 30, "not Ready once the port is closed") {
            self.condition($0, "Ready") == "False" && self.status($0, "goproxy")?.ready == false
        }
        XCTAssertEqual(status(pod, "goproxy")?.restartCount, 0, "readiness never restarts")
        XCTAssertTrue(events("goproxy").contains { $0.message.hasPrefix("Readiness probe failed: dial tcp") == true })
    }

    /// A startup probe holds liveness off until the slow start is over: no restart, then started and ready.
    func testStartupProbeGatesLiveness() throws {
        try harness.write(
            "slow.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: slow}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: slow
                image: busybox
                command: ["sh", "-c", "sleep 3; touch /tmp/started; exec sleep 3600"]
                startupProbe:
                  exec: {command: ["test", "-f", "/tmp/started"]}
                  periodSeconds: 1
                  failureThreshold: 30
                livenessProbe:
                  exec: {command: ["test", "-f", "/tmp/started"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """)
        let early = try harness.waitForRunning("slow")
        XCTAssertEqual(status(early, "slow")?.started, false, HarnessError.describe(early))
        XCTAssertEqual(status(early, "slow")?.ready, false)
        let pod = try harness.waitForPod("slow", timeout: 40, "started and ready") {
            self.status($0, "slow")?.started == true && self.status($0, "slow")?.ready == true
        }
        XCTAssertEqual(status(pod, "slow")?.restartCount, 0, "liveness must not run before the startup probe passed")
    }

    func testGRPCProbeIsRefusedWithAClearMessage() throws {
        let pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"grpc"},"spec":{"containers":[{"name":"main",
            "image":"busybox","livenessProbe":{"grpc":{"port":9000}}}]}}
            """
        let result = try swiftlet(["create", "-f", "-"], input: pod)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.stderr.contains("spec.containers[0].livenessProbe.grpc: Forbidden: gRPC probes are not supported by swiftlet yet"),
            result.stderr)
    }
}

extension HarnessError {
    static func describe(_ pod: Pod) -> String { DaemonHarness.describe(pod.status) }
}
