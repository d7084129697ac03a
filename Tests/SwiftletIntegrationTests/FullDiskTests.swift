import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// The run, log and pod-state directories on small tmpfs mounts that the test fills up: the agent
/// reports the errors, running pods keep running (and logging once there is room again), and
/// everything that failed succeeds when space returns.
final class FullDiskTests: IntegrationTestCase {
    var fillers: [String] = []

    func mountSmallDisks() throws {
        harness.stop()
        for dir in [harness.run, harness.logs, harness.state + "/pods", harness.state + "/apipods"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try DaemonHarness.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=2m,mode=0755", "swiftlet-it-full", dir])
            harness.ownedMounts.append(dir)
        }
        try harness.start(daemonArguments)
    }

    /// Writes to `dir/.filler` until the file system says ENOSPC.
    func fill(_ dir: String) {
        let path = dir + "/.filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x2e, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        var one: UInt8 = 0x2e
        while write(fd, &one, 1) > 0 {}
        fillers.append(path)
    }

    func testFullDiskIsReportedRunningPodsSurviveAndEverythingRecovers() throws {
        try mountSmallDisks()
        let steady = try harness.client.createPod(
            DaemonHarness.sleeper("steady", grace: 1, command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done"]))
        let before = try harness.waitForRunning("steady")
        _ = try harness.waitForLog("steady", "main", contains: "tick 3")
        let pause = try harness.pausePid(before)

        for dir in [harness.run, harness.logs, harness.state + "/pods"] { fill(dir) }
        // The sandbox of a new pod cannot be written: reported on the pod, the agent keeps serving.
        _ = try harness.client.createPod(DaemonHarness.sleeper("blocked", grace: 1))
        let blocked = try harness.waitForPod("blocked", "the full disk to be reported") { pod in
            let events = (try? self.harness.client.listEvents(namespace: "default").items) ?? []
            return events.contains { $0.involvedObject.name == "blocked" && $0.message.contains("No space left") }
                && pod.status?.phase == .pending
        }
        XCTAssertNil(blocked.status?.containerStatuses?.first?.state.running)
        // The API's own store is full too: the create is refused with the reason, nothing half-made.
        fill(harness.state + "/apipods")
        XCTAssertThrowsError(try harness.client.createPod(DaemonHarness.sleeper("refused", grace: 1))) { error in
            XCTAssertTrue("\(error)".contains("No space left"), "\(error)")
        }
        XCTAssertNil(harness.pod("refused"))

        // The running pod lives on, with its sandbox, through a few housekeeping passes.
        Thread.sleep(forTimeInterval: 2)
        let during = try harness.waitForRunning("steady")
        XCTAssertEqual(during.status?.containerStatuses?.first?.restartCount, 0)
        XCTAssertEqual(try harness.pausePid(during), pause)
        XCTAssertTrue(DaemonHarness.isRunning(pause))

        // Space returns: the blocked pod starts, the refused one can be created, logs flow again.
        for path in fillers { try FileManager.default.removeItem(atPath: path) }
        _ = try harness.waitForRunning("blocked", timeout: 60)
        _ = try harness.client.createPod(DaemonHarness.sleeper("refused", grace: 1))
        _ = try harness.waitForRunning("refused", timeout: 60)
        let size = (try? FileManager.default.attributesOfItem(atPath: "\(harness.logs)/default_steady_\(steady.uid)/main/0.log")[.size] as? Int) ?? 0
        try harness.waitFor("the steady pod's log to grow again", timeout: 20) {
            let now = (try? FileManager.default.attributesOfItem(atPath: "\(self.harness.logs)/default_steady_\(steady.uid)/main/0.log")[.size] as? Int) ?? 0
            return now > size
        }
        let after = try harness.waitForRunning("steady")
        XCTAssertEqual(after.status?.containerStatuses?.first?.restartCount, 0)
        XCTAssertEqual(try harness.pausePid(after), pause)
    }
}
