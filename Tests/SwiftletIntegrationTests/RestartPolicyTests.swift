import Foundation
import SwiftletKube
import XCTest

/// restartPolicy × exit code with real processes, and the crash-loop back-off as recorded on disk.
final class RestartPolicyTests: IntegrationTestCase {
    struct Case {
        var policy: String
        var exitCode: Int
        var phase: PodPhase
        var restarts: Bool
        var name: String { "\(policy.lowercased())-exit\(exitCode)" }
    }

    // The kubelet's outcomes (getPhase + ShouldContainerBeRestarted).
    let cases = [
        Case(policy: "Always", exitCode: 0, phase: .running, restarts: true),
        Case(policy: "Always", exitCode: 1, phase: .running, restarts: true),
        Case(policy: "OnFailure", exitCode: 0, phase: .succeeded, restarts: false),
        Case(policy: "OnFailure", exitCode: 1, phase: .running, restarts: true),
        Case(policy: "Never", exitCode: 0, phase: .succeeded, restarts: false),
        Case(policy: "Never", exitCode: 1, phase: .failed, restarts: false),
    ]

    func testRestartPolicyTable() throws {
        let manifest = cases.map { c in
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(c.name)}
            spec:
              restartPolicy: \(c.policy)
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "echo ran; exit \(c.exitCode)"]}
            """
        }.joined(separator: "\n---\n")
        try harness.write("table.yaml", manifest)

        for c in cases {
            let reason = c.exitCode == 0 ? "Completed" : "Error"
            if c.restarts {
                let pod = try harness.waitForPod(c.name, "at least 3 restarts") { pod in
                    (pod.status?.containerStatuses?.first?.restartCount ?? 0) >= 3
                }
                let status = try XCTUnwrap(pod.status?.containerStatuses?.first)
                XCTAssertEqual(pod.status?.phase, c.phase, c.name)
                XCTAssertEqual(status.lastState.terminated?.exitCode, Int32(c.exitCode), c.name)
                XCTAssertEqual(status.lastState.terminated?.reason, reason, c.name)
                if let waiting = status.state.waiting {
                    XCTAssertEqual(waiting.reason, "CrashLoopBackOff", c.name)
                    XCTAssertTrue(waiting.message?.hasPrefix("back-off ") ?? false, "\(c.name): \(waiting)")
                }
            } else {
                let pod = try harness.waitForPod(c.name, "phase \(c.phase)") { $0.status?.phase == c.phase }
                let status = try XCTUnwrap(pod.status?.containerStatuses?.first)
                XCTAssertEqual(status.restartCount, 0, c.name)
                XCTAssertEqual(status.state.terminated?.exitCode, Int32(c.exitCode), c.name)
                XCTAssertEqual(status.state.terminated?.reason, reason, c.name)
                XCTAssertEqual(
                    pod.status?.conditions?.first { $0.type == .ready }?.reason,
                    c.phase == .failed ? "PodFailed" : "PodCompleted", c.name)
                // A finished pod gives back its sandbox: no pause process, no root filesystem.
                XCTAssertTrue(harness.leakedProcesses().filter { $0.contains(pod.uid) }.isEmpty, c.name)
            }
        }
        // Logs of the previous run stay readable.
        XCTAssertTrue(harness.logs("always-exit1", "main", previous: true).contains("ran"))
    }

    /// The delays between an exit and the next start grow 0, 0.2, 0.4, 0.8, 0.8 s (configured
    /// 0.2 s doubling to 0.8 s): checked as lower bounds on the recorded times, not as tight timing.
    func testCrashLoopBackOffDelaysGrowAsConfigured() throws {
        try harness.write(
            "crash.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: crash}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "exit 2"]}
            """)
        let pod = try harness.waitForPod("crash", timeout: 30, "6 restarts") {
            ($0.status?.containerStatuses?.first?.restartCount ?? 0) >= 6
        }
        let dir = "\(harness.run)/pods/\(pod.uid)/status"
        func value(_ file: String, _ key: String) throws -> Double {
            let text = try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + "=") }),
                let v = Double(line.dropFirst(key.count + 1))
            else { throw HarnessError("no \(key) in \(file)") }
            return v
        }
        let expected = [0.0, 0.2, 0.4, 0.8, 0.8]
        var gaps: [Double] = []
        for attempt in 1...5 {
            let exit = try value("main.\(attempt - 1).exit", "finishedAt")
            let start = try value("main.\(attempt).start", "startedAt")
            gaps.append(start - exit)
        }
        for (gap, minimum) in zip(gaps, expected) {
            XCTAssertGreaterThanOrEqual(gap, minimum - 0.02, "gaps \(gaps)")
        }
        XCTAssertLessThan(gaps[0], gaps[3], "the first crash restarts without back-off: gaps \(gaps)")
        XCTAssertGreaterThan(gaps[3], gaps[1], "the back-off grows: gaps \(gaps)")
    }
}
