import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// 200 API clients at once against a daemon with 100 pods, each looping over list, watch and logs for
/// a bounded time: every request succeeds with the full answer, and the agent ends with the file
/// descriptors it started with (every connection closed, none leaked). Latencies are printed, not
/// asserted (machines are noisy); `swiftlet-bench --api-clients` runs the same load for longer.
final class APILoadTests: IntegrationTestCase {
    static let pods = 100
    static let clients = 200
    static let seconds: TimeInterval = 10

    func testTwoHundredClientsListWatchAndReadLogsWithoutErrorsOrLeaks() throws {
        for index in 0..<Self.pods {
            _ = try harness.client.createPod(DaemonHarness.sleeper(
                "load-\(index)", command: ["sh", "-c", "echo started load-\(index); exec sleep 3600"]))
        }
        try harness.waitFor("\(Self.pods) pods Running", timeout: 240) { self.harness.runningCount() == Self.pods }
        // Every pod has written its line, so each log request has something to return.
        for index in [0, Self.pods - 1] { _ = try harness.waitForLog("load-\(index)", "main", contains: "started") }
        let baselineFDs = harness.daemonFDCount()

        let report = APILoad.run(
            socket: harness.socket, clients: Self.clients, seconds: Self.seconds, expectedPods: Self.pods,
            podName: { "load-\($0 % Self.pods)" }, container: "main")
        print(report.summary)
        XCTAssertEqual(report.errors, [], "\(report.errors.count) failed requests")
        // Client i starts with kind i % 3 and every client makes at least its first request, so each
        // kind ran at least clients / 3 times however slow the machine is.
        for kind in APILoad.Kind.allCases {
            XCTAssertGreaterThanOrEqual(report.count(kind), Self.clients / 3, "\(kind) requests ran")
        }

        // Connections close asynchronously on the server's event loops: wait for the count to settle.
        var fds = 0
        do {
            try harness.waitFor("the agent's descriptors back to \(baselineFDs) (+2)", timeout: 30) {
                fds = self.harness.daemonFDCount()
                return fds <= baselineFDs + 2
            }
        } catch {
            XCTFail("the agent's file descriptors grew: \(baselineFDs) -> \(fds)")
        }
        print("api load: agent fds \(baselineFDs) -> \(fds)")
        XCTAssertEqual(harness.runningCount(), Self.pods, "the pods kept running under load")
    }
}
