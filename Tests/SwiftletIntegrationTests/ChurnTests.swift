import Foundation
import SwiftletKube
import XCTest

/// 1 000 pods created and deleted through the API in batches of 50 (grace 0): every other batch
/// reaches Running before it is deleted, the others are deleted while they start (deletion racing
/// creation); nothing of any pod stays behind — no process, mount (overlay roots, /dev/shm, pinned
/// netns), cgroup, run directory, writable layer or log directory — while the agent's file
/// descriptors and memory stay flat.
final class ChurnTests: IntegrationTestCase {
    static let batches = 20
    static let batchSize = 50
    /// The baseline is taken after this batch: by then the event recorder holds its full 1 000
    /// events (about five per pod) and the allocator has settled.
    static let warmUpBatches = 5
    /// RSS the agent may gain over the 750 pods after the warm-up: a per-pod leak of 12 KiB would
    /// exceed it.
    static let rssGrowthBoundKiB = 8 * 1024

    func testThousandPodsCreatedAndDeletedLeaveNothingBehind() throws {
        var baselineFDs = 0
        var baselineRSS = 0
        var uids: [String] = []
        for batch in 0..<Self.batches {
            var created: [String] = []
            for index in 0..<Self.batchSize {
                let pod = try harness.client.createPod(DaemonHarness.sleeper("churn-\(batch)-\(index)"))
                created.append(pod.name)
                uids.append(pod.uid)
            }
            if batch % 2 == 0 {
                try harness.waitFor("batch \(batch): \(Self.batchSize) pods Running", timeout: 120) {
                    self.harness.runningCount() == Self.batchSize
                }
            }
            for name in created {
                _ = try harness.client.deletePod(namespace: "default", name: name, gracePeriodSeconds: 0)
            }
            try harness.waitFor("batch \(batch): all pods gone", timeout: 120) {
                ((try? self.harness.client.listPods(namespace: nil).items.count) ?? -1) == 0
            }
            if batch == Self.warmUpBatches - 1 {
                baselineFDs = harness.daemonFDCount()
                baselineRSS = harness.daemonRSSKiB()
            }
        }
        let fds = harness.daemonFDCount()
        let rss = harness.daemonRSSKiB()
        print("churn: \(uids.count) pods; agent fds \(baselineFDs) -> \(fds), RSS \(baselineRSS) -> \(rss) KiB")
        XCTAssertLessThanOrEqual(fds, baselineFDs + 2, "the agent's file descriptors grew")
        XCTAssertLessThanOrEqual(rss, baselineRSS + Self.rssGrowthBoundKiB, "the agent's RSS grew beyond the bound")
        // Deletion is reported once the sandbox is gone; the run directory goes right after.
        try harness.waitFor("per-pod directories to be empty", timeout: 30) { self.harness.leftoverEntries().isEmpty }
        XCTAssertEqual(harness.leakedProcesses(), [])
        XCTAssertEqual(harness.leakedMounts(), [])
        XCTAssertEqual(harness.leakedCgroups(), [])
        for uid in uids.prefix(3) + uids.suffix(3) { XCTAssertEqual(harness.leftovers(uid: uid), []) }
    }
}
