import Foundation
import SwiftletCgroups
import XCTest

/// apply/stats/oomKills against this machine's real v1 hierarchies (tests run as root on a hybrid v1 host):
/// what the kernel accepts and reports back, which a fake tree cannot show.
final class CgroupV1LimitsRealTests: XCTestCase {
    private var driver: CgroupV1Driver?
    private let testRoot = "swiftlet-test-\(UInt32.random(in: 0...UInt32.max))"
    private var children: [Process] = []

    private var podPath: String { testRoot + "/p" }
    private var containerPath: String { testRoot + "/p/c" }

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create cgroups") }
        guard let v1 = try detectCgroupDriver() as? CgroupV1Driver else {
            throw XCTSkip("host is not cgroup v1/hybrid")
        }
        for controller in ["cpu", "cpuacct", "memory", "pids"] where v1.hierarchies[controller] == nil {
            throw XCTSkip("v1 controller \(controller) is not mounted")
        }
        driver = v1
        try v1.create(containerPath)
    }

    override func tearDown() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        if let driver {
            driver.killAll(testRoot)
            try? driver.remove(testRoot)
        }
    }

    func testLimitsReadBackFromTheKernel() throws {
        let driver = try XCTUnwrap(driver)
        try driver.apply(CgroupLimits(cpuShares: 256, cpuQuota: 25_000, cpuPeriod: 100_000,
                                      memoryLimit: 33_554_432, pidsLimit: 10), to: containerPath)
        XCTAssertEqual(try read("cpu", "cpu.shares"), "256")
        XCTAssertEqual(try read("cpu", "cpu.cfs_period_us"), "100000")
        XCTAssertEqual(try read("cpu", "cpu.cfs_quota_us"), "25000")
        XCTAssertEqual(try read("memory", "memory.limit_in_bytes"), "33554432", "32 MiB is page-aligned")
        XCTAssertEqual(try read("pids", "pids.max"), "10")

        // Negative values lift the limits again; the kernel shows its own spelling of "unlimited".
        try driver.apply(CgroupLimits(cpuQuota: -1, memoryLimit: -1, pidsLimit: -1), to: containerPath)
        XCTAssertEqual(try read("cpu", "cpu.cfs_quota_us"), "-1")
        XCTAssertEqual(try read("cpu", "cpu.shares"), "256", "unset fields are left alone")
        XCTAssertGreaterThan(UInt64(try read("memory", "memory.limit_in_bytes")) ?? 0, 1 << 60)
        XCTAssertEqual(try read("pids", "pids.max"), "max")

        try removeAndCheckNothingLeft(driver)
    }

    /// With the parent at 0.5 CPU, a shorter period written before the new quota would briefly mean
    /// 25000/10000 = 2.5 CPUs and the kernel refuses it; apply must still land 5000/10000.
    func testShorterPeriodUnderALimitedParent() throws {
        let driver = try XCTUnwrap(driver)
        try driver.apply(CgroupLimits(cpuQuota: 50_000, cpuPeriod: 100_000), to: podPath)
        try driver.apply(CgroupLimits(cpuQuota: 25_000), to: containerPath)
        try driver.apply(CgroupLimits(cpuQuota: 5_000, cpuPeriod: 10_000), to: containerPath)
        XCTAssertEqual(try read("cpu", "cpu.cfs_period_us"), "10000")
        XCTAssertEqual(try read("cpu", "cpu.cfs_quota_us"), "5000")

        XCTAssertThrowsError(try driver.apply(CgroupLimits(cpuQuota: 500_000), to: containerPath)) { error in
            guard case .writeFailed(let path, let value, let code)? = error as? CgroupError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(path.hasSuffix("/" + self.containerPath + "/cpu.cfs_quota_us"), path)
            XCTAssertEqual(value, "500000")
            XCTAssertEqual(code, EINVAL)
        }
        try removeAndCheckNothingLeft(driver)
    }

    func testStatsOfARunningProcess() throws {
        let driver = try XCTUnwrap(driver)
        XCTAssertEqual(driver.stats(containerPath)?.pids, 0)
        // Spin, then exec sleep: the spin is charged cpu time and the exec'd image fresh pages, both after
        // joining the cgroup.
        let child = try spawnInCgroup(driver, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30")
        var stats = driver.stats(containerPath)
        for _ in 0..<100 {
            if let current = stats, current.cpuUsageNanoseconds > 0, current.memoryUsageBytes > 0 { break }
            usleep(50_000)
            stats = driver.stats(containerPath)
        }
        let current = try XCTUnwrap(stats)
        XCTAssertEqual(current.pids, 1)
        XCTAssertGreaterThan(current.cpuUsageNanoseconds, 0)
        XCTAssertGreaterThan(current.memoryUsageBytes, 0)
        XCTAssertLessThanOrEqual(current.memoryWorkingSetBytes, current.memoryUsageBytes)
        XCTAssertLessThanOrEqual(current.memoryRSSBytes, current.memoryUsageBytes)
        let parent = try XCTUnwrap(driver.stats(podPath))
        XCTAssertEqual(parent.pids, 1, "pids.current counts descendants")
        XCTAssertGreaterThanOrEqual(parent.cpuUsageNanoseconds, current.cpuUsageNanoseconds)
        XCTAssertNil(driver.stats(testRoot + "/absent"))

        driver.killAll(testRoot)
        child.waitUntilExit()
        try removeAndCheckNothingLeft(driver)
    }

    func testOOMKillIsCounted() throws {
        let driver = try XCTUnwrap(driver)
        try driver.apply(CgroupLimits(memoryLimit: 16 << 20), to: containerPath)
        XCTAssertEqual(driver.oomKills(containerPath), 0)
        // tail -c keeps the last 64 MiB of its input in memory: four times the limit.
        let child = try spawnInCgroup(driver, "head -c 134217728 /dev/zero | tail -c 67108864 >/dev/null")
        child.waitUntilExit()
        XCTAssertGreaterThanOrEqual(driver.oomKills(containerPath), 1)
        try removeAndCheckNothingLeft(driver)
    }

    /// Starts `/bin/sh -c script` held at a `read` until its pid is in every hierarchy of the container cgroup.
    private func spawnInCgroup(_ driver: CgroupV1Driver, _ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "read go; " + script]
        let gate = Pipe()
        process.standardInput = gate
        try process.run()
        children.append(process)
        for file in driver.procsFiles(containerPath) {
            try "\(process.processIdentifier)".write(toFile: file, atomically: false, encoding: .utf8)
        }
        gate.fileHandleForWriting.write(Data("go\n".utf8))
        return process
    }

    private func read(_ controller: String, _ file: String) throws -> String {
        let directory = try XCTUnwrap(driver?.directory(for: containerPath, controller: controller))
        return try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func removeAndCheckNothingLeft(_ driver: CgroupV1Driver) throws {
        try driver.remove(testRoot)
        XCTAssertFalse(driver.exists(testRoot))
        for mount in driver.mounts {
            XCTAssertFalse(FileManager.default.fileExists(atPath: mount + "/" + testRoot), mount)
        }
    }
}
