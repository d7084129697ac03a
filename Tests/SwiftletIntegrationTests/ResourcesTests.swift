import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// requests/limits on real cgroups (v1 on these machines), QoS, OOMKilled, admission, usage stats.
final class ResourcesTests: IntegrationTestCase {
    override var daemonArguments: [String] { super.daemonArguments + ["--pod-pids-limit", "64"] }

    /// The v1 hierarchy directory of a pod's (or container's) cgroup for one controller.
    func cgroupFile(_ controller: String, _ pod: Pod, _ container: String?, _ file: String) -> String {
        "/sys/fs/cgroup/\(controller)/\(harness.cgroupParent)/pod\(pod.uid)" + (container.map { "/" + $0 } ?? "") + "/" + file
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testMemoryLimitOOMKillsOnlyThatContainerAndIsReportedAsOOMKilled() throws {
        try harness.write(
            "oom.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: oom}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: hog
                image: busybox
                command: ["sh", "-c", "echo start; x=$(head -c 67108864 /dev/zero | tr '\\\\000' a); echo survived; sleep 3600"]
                resources: {limits: {memory: 32Mi}}
              - name: calm
                image: busybox
                command: ["sleep", "3600"]
            """)
        let pod = try harness.waitForPod("oom", "an OOMKilled restart of hog") { pod in
            let hog = pod.status?.containerStatuses?.first { $0.name == "hog" }
            return (hog?.restartCount ?? 0) >= 1 && hog?.lastState.terminated?.reason == "OOMKilled"
        }
        let hog = try XCTUnwrap(pod.status?.containerStatuses?.first { $0.name == "hog" })
        XCTAssertEqual(hog.lastState.terminated?.exitCode, 137)
        let calm = try XCTUnwrap(pod.status?.containerStatuses?.first { $0.name == "calm" })
        XCTAssertEqual(calm.restartCount, 0)
        XCTAssertNotNil(calm.state.running)
        XCTAssertEqual(read(cgroupFile("memory", pod, "hog", "memory.limit_in_bytes")), "33554432")
        XCTAssertEqual(pod.status?.qosClass, "Burstable")
        XCTAssertFalse(harness.logs("oom", "hog", previous: true).contains("survived"))
    }

    func testCPULimitBecomesQuotaAndThrottles() throws {
        try harness.write(
            "cpu.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: spinner}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: spin
                image: busybox
                command: ["sh", "-c", "while :; do :; done"]
                resources: {limits: {cpu: 250m, memory: 64Mi}}
            """)
        let pod = try harness.waitForRunning("spinner")
        XCTAssertEqual(read(cgroupFile("cpu", pod, "spin", "cpu.cfs_quota_us")), "25000")
        XCTAssertEqual(read(cgroupFile("cpu", pod, "spin", "cpu.cfs_period_us")), "100000")
        XCTAssertEqual(read(cgroupFile("cpu", pod, "spin", "cpu.shares")), "256", "the request defaults to the limit")
        XCTAssertEqual(read(cgroupFile("cpu", pod, nil, "cpu.cfs_quota_us")), "25000", "pod level: every container has a limit")
        XCTAssertEqual(pod.status?.qosClass, "Guaranteed")
        let usage = cgroupFile("cpuacct", pod, "spin", "cpuacct.usage")
        let before = UInt64(read(usage)) ?? 0
        let start = Date()
        Thread.sleep(forTimeInterval: 2)
        let share = Double((UInt64(read(usage)) ?? 0) - before) / 1e9 / Date().timeIntervalSince(start)
        print("spinner with limits.cpu 250m used \(String(format: "%.1f", share * 100)) % of a core")
        XCTAssertLessThan(share, 0.4, "a 250m limit keeps a busy loop near a quarter of a core")
        XCTAssertGreaterThan(share, 0.05)
    }

    func testPodPidsLimitContainsAForkBombAndTheAgentKeepsWorking() throws {
        try harness.write(
            "forks.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: forks}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: bomb
                image: busybox
                command: ["sh", "-c", "echo bombing; i=0; while [ $$i -lt 300 ]; do sleep 600 & i=$$((i+1)); done; sleep 3600"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: neighbour}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - {name: main, image: busybox, command: ["sleep", "3600"]}
            """)
        let pod = try harness.waitForPod("forks", "the bomb to start") { $0.status?.phase == .running }
        XCTAssertEqual(read(cgroupFile("pids", pod, nil, "pids.max")), "64")
        // The kernel refuses forks at the limit (busybox sh then gives up and the container restarts).
        _ = try harness.waitForLog("forks", "bomb", contains: "can't fork", timeout: 20)
        XCTAssertLessThanOrEqual(Int(read(cgroupFile("pids", pod, nil, "pids.current"))) ?? 99, 64)
        _ = try harness.waitForRunning("neighbour")
        XCTAssertNotNil(try? harness.client.version())
    }

    func testQoSClassesOOMScoresAdmissionAndStats() throws {
        try harness.write(
            "qos.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: besteffort}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "x=$(head -c 20000000 /dev/zero | tr '\\\\000' a); while :; do :; done"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: burstable}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                resources: {requests: {memory: 100Mi}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: greedy}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                resources: {requests: {cpu: "1000"}}
            """)
        let bestEffort = try harness.waitForRunning("besteffort")
        let burstable = try harness.waitForRunning("burstable")
        XCTAssertEqual(bestEffort.status?.qosClass, "BestEffort")
        XCTAssertEqual(burstable.status?.qosClass, "Burstable")
        // Running means the process exists; swiftlet-init sets the score a moment later, before exec.
        let bestEffortPath = "/proc/\(try pid(bestEffort))/oom_score_adj"
        let burstablePath = "/proc/\(try pid(burstable))/oom_score_adj"
        try harness.waitFor("oom_score_adj to be set", timeout: 10) {
            self.read(bestEffortPath) == "1000" && self.read(burstablePath) != "0"
        }
        XCTAssertEqual(read(bestEffortPath), "1000")
        let burstableScore = Int(read(burstablePath)) ?? 0
        XCTAssertTrue((3...999).contains(burstableScore), "Burstable: 1000 - 1000 × request / capacity, got \(burstableScore)")
        XCTAssertEqual(read(cgroupFile("cpu", bestEffort, "main", "cpu.shares")), "2")

        let greedy = try harness.waitForPod("greedy", "admission to refuse it") { $0.status?.reason == "OutOfcpu" }
        XCTAssertEqual(greedy.status?.phase, .pending)
        XCTAssertTrue(greedy.status?.message?.contains("Node didn't have enough resource: cpu, requested: 1000000") ?? false,
            greedy.status?.message ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(greedy.uid)/pause"), "never started")

        // Usage moves: the busy BestEffort pod burns CPU and holds ~20 MB (sampled until it does:
        // the shell needs a moment to read its 20 MB).
        var summary = try harness.client.statsSummary()
        try harness.waitFor("CPU and memory use of the busy pod in /stats/summary", timeout: 20) {
            Thread.sleep(forTimeInterval: 0.5)
            guard let next = try? self.harness.client.statsSummary() else { return false }
            summary = next
            let pod = next.pods.first { $0.podRef.name == "besteffort" }
            return (pod?.cpu?.usageNanoCores ?? 0) > 100_000_000 && (pod?.memory?.workingSetBytes ?? 0) > 15_000_000
        }
        let stats = try XCTUnwrap(summary.pods.first { $0.podRef.name == "besteffort" })
        XCTAssertGreaterThan(stats.cpu?.usageNanoCores ?? 0, 100_000_000, "\(stats)")
        XCTAssertGreaterThan(stats.memory?.workingSetBytes ?? 0, 15_000_000, "\(stats)")
        XCTAssertEqual(stats.containers.map(\.name), ["main"])
        XCTAssertNotNil(summary.node.memory?.availableBytes)
        let top = try DaemonHarness.runTool(DaemonHarness.binaries + "/swiftlet", ["top", "pods", "--socket", harness.socket])
        XCTAssertTrue(top.contains("besteffort"), top)

        let node = try DaemonHarness.runTool(DaemonHarness.binaries + "/swiftlet", ["describe", "node", "--socket", harness.socket])
        XCTAssertTrue(node.contains("Allocatable:"), node)
        XCTAssertTrue(node.contains("Non-terminated Pods:"), node)
        XCTAssertTrue(node.split(separator: "\n").contains { $0.contains("burstable") && $0.contains("100Mi") }, node)
    }

    func pid(_ pod: Pod) throws -> Int32 {
        let text = try String(contentsOfFile: "\(harness.run)/pods/\(pod.uid)/status/main.0.start", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pid=") }), let pid = Int32(line.dropFirst(4))
        else { throw HarnessError("no pid for \(pod.name)") }
        return pid
    }
}
