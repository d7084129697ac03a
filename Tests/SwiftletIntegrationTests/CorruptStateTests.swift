import Foundation
import SwiftletKube
import XCTest

/// State files damaged while the agent was down (a torn write on a crashed disk, an operator's
/// editor): each is detected, reported, and handled — the agent never crashes on one.
final class CorruptStateTests: IntegrationTestCase {
    func corrupt(_ path: String) throws {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path), path)
        // A torn write: the first half, then garbage.
        try (data.prefix(data.count / 2) + Data("\u{0}\u{1}garbage".utf8)).write(to: URL(fileURLWithPath: path))
    }

    func testCorruptRunAndStateFilesAreDetectedAndHandled() throws {
        let keeper = try harness.client.createPod(DaemonHarness.sleeper("keeper", grace: 1))
        let orphan = try harness.client.createPod(DaemonHarness.sleeper("orphan", grace: 1))
        try harness.write(
            "static.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: static}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "exec sleep 3600"]}
            """)
        let keeperBefore = try harness.waitForRunning("keeper")
        _ = try harness.waitForRunning("orphan")
        let staticBefore = try harness.waitForRunning("static")
        let keeperPause = try harness.pausePid(keeperBefore)
        let staticPause = try harness.pausePid(staticBefore)
        harness.kill9()

        // keeper: its API record is torn; its run directory still knows the pod.
        try corrupt("\(harness.state)/apipods/\(keeper.uid).json")
        // static: its run directory's pod.json is torn; the manifest still wants the pod.
        try corrupt("\(harness.run)/pods/\(staticBefore.uid)/pod.json")
        // orphan: deleted while the agent was down, and its pod.json is torn too.
        try FileManager.default.removeItem(atPath: "\(harness.state)/apipods/\(orphan.uid).json")
        try corrupt("\(harness.run)/pods/\(orphan.uid)/pod.json")
        // A torn run record of a running container.
        try corrupt("\(harness.run)/pods/\(keeper.uid)/status/main.0.start")

        try harness.start()
        let keeperAfter = try harness.waitForRunning("keeper")
        XCTAssertEqual(keeperAfter.uid, keeper.uid, "the API pod was recovered from its run directory")
        XCTAssertEqual(try harness.pausePid(keeperAfter), keeperPause, "the same sandbox")
        XCTAssertEqual(keeperAfter.status?.containerStatuses?.first?.restartCount, 0)
        let staticAfter = try harness.waitForRunning("static")
        XCTAssertEqual(staticAfter.uid, staticBefore.uid)
        XCTAssertEqual(try harness.pausePid(staticAfter), staticPause, "the live sandbox was re-adopted")
        XCTAssertEqual(staticAfter.status?.containerStatuses?.first?.restartCount, 0)
        try harness.waitFor("the orphan's sandbox to be removed", timeout: 30) { self.harness.leftovers(uid: orphan.uid).isEmpty }
        XCTAssertNil(harness.pod("orphan"))
        let log = try String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)
        XCTAssertTrue(log.contains("apipods/\(keeper.uid).json"), "the torn API record is reported")
        XCTAssertTrue(log.contains(orphan.uid), "the unreadable run directory is reported")
        // Recovery rewrote a readable record: a later restart needs no recovery.
        let record = try XCTUnwrap(FileManager.default.contents(atPath: "\(harness.state)/apipods/\(keeper.uid).json"))
        XCTAssertEqual(try KubeJSON.decode(Pod.self, from: record).uid, keeper.uid)
        XCTAssertEqual(harness.leakedProcesses().filter { $0.contains("swiftlet-pause") }.count, 2)
    }

    func testCorruptImageIndexIsReportedAndRunningPodsKeepRunning() throws {
        let running = try harness.client.createPod(DaemonHarness.sleeper("running", grace: 1))
        _ = try harness.waitForRunning("running")
        let index = "\(harness.state)/images/index.json"
        let good = try XCTUnwrap(FileManager.default.contents(atPath: index))
        try corrupt(index)
        harness.kill9()
        try harness.start()
        _ = try harness.client.createPod(DaemonHarness.sleeper("newcomer", grace: 1))
        let failing = try harness.waitForPod("newcomer", "an image error") { pod in
            pod.status?.containerStatuses?.first?.state.waiting?.message?.contains("index.json") == true
        }
        print("corrupt index reported as: \(DaemonHarness.describe(failing.status))")
        let again = try harness.waitForRunning("running")
        XCTAssertEqual(again.uid, running.uid)
        XCTAssertEqual(again.status?.containerStatuses?.first?.restartCount, 0)
        try good.write(to: URL(fileURLWithPath: index))
        _ = try harness.waitForRunning("newcomer", timeout: 60)
    }
}
