import Foundation
import SwiftletCgroups
import XCTest

/// Runs the v1 driver against this machine's real cgroupfs (tests run as root on a hybrid v1 host).
final class CgroupV1RealTests: XCTestCase {
    private var driver: CgroupV1Driver?
    private var testRoot = "swiftlet-test-\(UInt32.random(in: 0...UInt32.max))"
    private var sleeper: Process?

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create cgroups") }
        guard let v1 = try detectCgroupDriver() as? CgroupV1Driver else {
            throw XCTSkip("host is not cgroup v1/hybrid")
        }
        driver = v1
    }

    override func tearDown() {
        if let sleeper, sleeper.isRunning {
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        if let driver {
            driver.killAll(testRoot)
            try? driver.remove(testRoot)
        }
    }

    /// Whatever is still in a pod's cgroups (container processes whose pause process died are
    /// reparented to PID 1 but stay there) is killed by `sweep`, reported, and the cgroups removed.
    func testSweepKillsWhatIsLeftInTheCgroupsAndRemovesThem() throws {
        let driver = try XCTUnwrap(driver)
        let path = testRoot + "/podY/c1"
        try driver.create(path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        sleeper = process
        let pid = process.processIdentifier
        for file in driver.procsFiles(path) {
            try "\(pid)".write(toFile: file, atomically: false, encoding: .utf8)
        }

        let killed = try driver.sweep(testRoot)
        XCTAssertEqual(killed, [CgroupProcess(pid: pid, command: "/bin/sleep 30")])
        XCTAssertFalse(driver.exists(testRoot))
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, SIGKILL)
        // An empty tree is removed as well, and nothing is reported.
        try driver.create(path)
        XCTAssertEqual(try driver.sweep(testRoot), [])
        XCTAssertFalse(driver.exists(testRoot))
    }

    func testProcessLifecycleInRealHierarchies() throws {
        let driver = try XCTUnwrap(driver)
        let path = testRoot + "/podX/c1"
        try driver.create(path)
        XCTAssertTrue(driver.exists(path))
        XCTAssertTrue(driver.mounts.contains("/sys/fs/cgroup/cpuset"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        sleeper = process
        let pid = process.processIdentifier
        for file in driver.procsFiles(path) {
            try "\(pid)".write(toFile: file, atomically: false, encoding: .utf8)
        }
        XCTAssertEqual(driver.processes(path), [pid])
        XCTAssertEqual(driver.processes(testRoot), [pid], "processes is recursive")

        driver.killAll(testRoot)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGKILL)
        XCTAssertEqual(driver.processes(testRoot), [])

        try driver.remove(testRoot)
        XCTAssertFalse(driver.exists(testRoot))
        for mount in driver.mounts {
            XCTAssertFalse(FileManager.default.fileExists(atPath: mount + "/" + testRoot), mount)
        }
    }
}
