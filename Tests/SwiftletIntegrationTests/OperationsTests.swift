import Foundation
import SwiftletKube
import Synchronization
import XCTest

/// Running under systemd and being operated: sd_notify, socket activation, metrics, stop/drain,
/// and on-disk state from an older or newer agent.
final class OperationsTests: IntegrationTestCase {
    static let steadyPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: steady}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - {name: main, image: busybox, command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo up; while true; do sleep 0.1; done"]}
        """

    func testReadyComesAfterReadoptionAndWatchdogPingsFollow() throws {
        try harness.write("steady.yaml", Self.steadyPod)
        _ = try harness.waitForRunning("steady")
        harness.stop()

        let notify = try NotifySocket(path: harness.root + "/notify.sock")
        defer { notify.close() }
        harness.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"]
        try harness.start()
        let ready = try notify.waitFor(timeout: 20) { $0.contains("READY=1") }
        XCTAssertTrue(ready.contains("STATUS=1 pods (1 running)"), "READY=1 carries the re-adopted pod: \(ready)")
        // Half of WATCHDOG_USEC: a ping every 0.2 s while the reconcile loop turns.
        _ = try notify.waitFor(timeout: 10) { $0.contains("WATCHDOG=1") }
        _ = try notify.waitFor(timeout: 10) { $0.contains("WATCHDOG=1") }
        harness.stop()
        _ = try notify.waitFor(timeout: 10) { $0.contains("STOPPING=1") }
        harness.environment = [:]
        try harness.start()
    }

    func testSocketPassedBySystemdIsServedAndKeptAcrossRestarts() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate"), "needs systemd")
        harness.stop()
        // systemd-socket-activate listens, then execs the daemon with LISTEN_FDS=1 and LISTEN_PID set.
        harness.launchPrefix = ["/usr/bin/systemd-socket-activate", "-l", harness.socket]
        try harness.start()
        try harness.write("steady.yaml", Self.steadyPod)
        _ = try harness.waitForRunning("steady")
        let log = try String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)
        XCTAssertTrue(log.contains("serving on the socket passed by systemd"), log)
        harness.stop()
        // The socket file is systemd's (here: the activator's), so the agent leaves it alone.
        harness.launchPrefix = []
        try harness.start()
        _ = try harness.waitForRunning("steady")
    }

    func testMetricsParseAsPrometheusTextAndCountersMove() throws {
        let python = "/usr/bin/python3"
        try XCTSkipUnless(
            (try? DaemonHarness.runTool(python, ["-c", "import prometheus_client"])) != nil,
            "needs Debian's python3-prometheus-client (scripts/setup installs it)")
        let before = try scrape(python)
        XCTAssertEqual(before["kubelet_running_pods"], 0)
        try harness.write(
            "crasher.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "sleep 0.3; exit 3"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: probed}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
            """)
        try harness.waitForPod("crasher", timeout: 60, "two restarts") { ($0.status?.containerStatuses?.first?.restartCount ?? 0) >= 2 }
        var after: [String: Double] = [:]
        try harness.waitFor("the counters to move", timeout: 20) {
            after = (try? self.scrape(python)) ?? [:]
            return (after["kubelet_started_containers_total{container_type=\"container\"}"] ?? 0) >= 3
        }
        try harness.waitFor("a readiness probe result", timeout: 20) {
            after = (try? self.scrape(python)) ?? [:]
            return (after["prober_probe_total{container=\"main\",namespace=\"default\",pod=\"probed\",probe_type=\"Readiness\",result=\"successful\"}"] ?? 0) >= 1
        }
        XCTAssertEqual(after["kubelet_started_pods_total"], 2)
        XCTAssertGreaterThanOrEqual(
            after["kube_pod_container_status_restarts_total{container=\"main\",namespace=\"default\",pod=\"crasher\"}"] ?? 0, 2)
        XCTAssertEqual(after["kubelet_pod_start_duration_seconds_count"], 2)
        XCTAssertGreaterThan(after["kubelet_pod_worker_duration_seconds_count{operation_type=\"sync\"}"] ?? 0, 0)
        XCTAssertGreaterThan(after["kubelet_http_requests_total{code=\"200\",method=\"GET\",path=\"/metrics\"}"] ?? 0, 0)
        XCTAssertEqual(after["swiftlet_pods{phase=\"Running\"}"].map { $0 + (after["swiftlet_pods{phase=\"Pending\"}"] ?? 0) }, 2)
        XCTAssertGreaterThan(after["process_open_fds"] ?? 0, 0)
    }

    func testStopLeavesPodsRunningAndDrainOnExitStopsThemGracefully() throws {
        try harness.write("steady.yaml", Self.steadyPod)
        let first = try harness.waitForRunning("steady")
        let pause = try harness.pausePid(first)
        harness.stop()
        XCTAssertTrue(DaemonHarness.isRunning(pause), "SIGTERM to the agent left the pod's pause process running")
        try harness.start(daemonArguments + ["--drain-on-exit"])
        let readopted = try harness.waitForRunning("steady")
        XCTAssertEqual(try harness.pausePid(readopted), pause, "re-adopted, not restarted")
        _ = try harness.waitForLog("steady", "main", contains: "up")
        let logDir = "\(harness.logs)/default_steady_\(first.uid)"
        let logFile = logDir + "/main/0.log"
        let lastLog = Mutex("")
        let watcher = Thread {
            // The log file is removed with the pod: keep what it said last.
            while FileManager.default.fileExists(atPath: logDir) {
                if let text = try? String(contentsOfFile: logFile, encoding: .utf8) { lastLog.withLock { $0 = text } }
                usleep(20_000)
            }
        }
        watcher.start()
        harness.stop()
        XCTAssertFalse(DaemonHarness.isRunning(pause), "--drain-on-exit stopped the pod")
        try harness.waitFor("the log watcher", timeout: 5) { !FileManager.default.fileExists(atPath: logDir) }
        usleep(100_000)
        let said = lastLog.withLock { $0 }
        XCTAssertTrue(said.contains("got TERM"), "stopped gracefully with SIGTERM first: \(said)")
        XCTAssertTrue(harness.leakedProcesses().isEmpty && harness.leakedMounts().isEmpty && harness.leakedCgroups().isEmpty)
        // The manifest is still there: the next start runs the pod again.
        try harness.start()
        _ = try harness.waitForRunning("steady")
    }

    func testDrainCommandStopsEveryPodAndTheDaemonExitsCleanly() throws {
        try harness.write("steady.yaml", Self.steadyPod)
        let pod = try harness.waitForRunning("steady")
        let pause = try harness.pausePid(pod)
        let output = try DaemonHarness.runTool(DaemonHarness.binaries + "/swiftlet", ["drain", "--socket", harness.socket])
        XCTAssertTrue(output.contains("draining 1 pods"), output)
        XCTAssertTrue(output.contains("drained; the daemon has stopped"), output)
        let daemon = try XCTUnwrap(harness.daemon)
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, "a drain ends the daemon with status 0 (systemd's Restart=on-failure leaves it stopped)")
        harness.stopFailedStart()
        XCTAssertFalse(DaemonHarness.isRunning(pause))
        XCTAssertTrue(harness.leakedProcesses().isEmpty && harness.leakedMounts().isEmpty && harness.leakedCgroups().isEmpty)
        try harness.start()
        _ = try harness.waitForRunning("steady")
    }

    func testStateFromAnOlderAgentIsMigratedAndANewerOneIsRefused() throws {
        try harness.write("steady.yaml", Self.steadyPod)
        let pod = try harness.waitForRunning("steady")
        let pause = try harness.pausePid(pod)
        harness.kill9()
        // What an agent from before the format marker left behind.
        for dir in [harness.run, harness.state] { try FileManager.default.removeItem(atPath: dir + "/format") }
        try harness.start()
        XCTAssertEqual(try harness.pausePid(try harness.waitForRunning("steady")), pause, "re-adopted by the newer agent")
        XCTAssertEqual(try String(contentsOfFile: harness.run + "/format", encoding: .utf8), "swiftlet-state 1\n")
        let log = try String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)
        XCTAssertTrue(log.contains("on-disk state migrated from format 0 to 1"), log)

        harness.kill9()
        try "swiftlet-state 2\n".write(toFile: harness.state + "/format", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try harness.start(), "a newer layout stops the daemon")
        let refused = try String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)
        XCTAssertTrue(refused.contains("was written by a newer swiftlet (state format 2)"), refused)
        XCTAssertTrue(DaemonHarness.isRunning(pause), "the pod was not touched")
        harness.stopFailedStart()
        try "swiftlet-state 1\n".write(toFile: harness.state + "/format", atomically: true, encoding: .utf8)
        try harness.start()
    }

    // MARK: Helpers


    /// `GET /metrics`, parsed by the Prometheus project's own parser: sample name{labels} → value.
    func scrape(_ python: String) throws -> [String: Double] {
        let response = try harness.client.http.request("GET", "/metrics")
        guard response.status == 200 else { throw HarnessError("/metrics: \(response.status)") }
        let file = harness.root + "/metrics.txt"
        try Data(response.body).write(to: URL(fileURLWithPath: file))
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()) if k not in ("uid", "le"))
                    if "le" in s.labels: continue
                    print("%s%s\\t%r" % (s.name, "{%s}" % labels if labels else "", s.value))
            """
        let output = try DaemonHarness.runTool(python, ["-c", script, file])
        var samples: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }
}

/// The NOTIFY_SOCKET end systemd would own: a datagram socket collecting sd_notify messages.
final class NotifySocket {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw HarnessError("cannot bind \(path): errno \(errno)") }
    }

    /// The next message matching `condition`, skipping others.
    func waitFor(timeout: TimeInterval, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [String] = []
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let message = String(decoding: buffer[..<n], as: UTF8.self)
            if condition(message) { return message }
            seen.append(message)
        }
        throw HarnessError("no matching sd_notify message within \(timeout) s; got: \(seen)")
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}
