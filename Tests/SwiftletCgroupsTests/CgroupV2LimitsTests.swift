import Foundation
import SwiftletCgroups
import SwiftletTestSupport
import XCTest

/// apply/stats/oomKills of the v2 driver against a fake unified tree.
final class CgroupV2LimitsTests: XCTestCase {
    private var tree: TempDirectory!
    private var driver: CgroupV2Driver!
    private let files = ["cpu.weight", "cpu.max", "memory.max", "memory.min", "memory.low", "pids.max"]

    override func setUpWithError() throws {
        tree = try TempDirectory("cgroup2-limits")
        try tree.write("p/c/cgroup.procs", "")
        driver = CgroupV2Driver(root: tree.path)
    }

    override func tearDown() {
        tree?.remove()
    }

    func testApplyWritesExactlyTheSetFiles() throws {
        let table: [(name: String, limits: CgroupLimits, expected: [String: String])] = [
            ("nothing set", CgroupLimits(), [:]),
            ("shares", CgroupLimits(cpuShares: 1024), ["cpu.weight": "100"]),
            ("minimum shares", CgroupLimits(cpuShares: 2), ["cpu.weight": "1"]),
            ("quota, default period", CgroupLimits(cpuQuota: 25_000), ["cpu.max": "25000 100000"]),
            ("quota and period", CgroupLimits(cpuQuota: 5_000, cpuPeriod: 10_000), ["cpu.max": "5000 10000"]),
            ("unlimited quota", CgroupLimits(cpuQuota: -1), ["cpu.max": "max 100000"]),
            ("period only", CgroupLimits(cpuPeriod: 20_000), ["cpu.max": "max 20000"]),
            ("memory", CgroupLimits(memoryLimit: 33_554_432), ["memory.max": "33554432"]),
            ("unlimited memory", CgroupLimits(memoryLimit: -1), ["memory.max": "max"]),
            ("protection", CgroupLimits(memoryMin: 1_048_576, memoryLow: -5),
             ["memory.min": "1048576", "memory.low": "0"]),
            ("pids", CgroupLimits(pidsLimit: 10), ["pids.max": "10"]),
            ("unlimited pids", CgroupLimits(pidsLimit: -1), ["pids.max": "max"]),
            ("guaranteed 250m/32Mi",
             CgroupLimits(cpuShares: 256, cpuQuota: 25_000, memoryLimit: 33_554_432, pidsLimit: 1024),
             ["cpu.weight": "35", "cpu.max": "25000 100000", "memory.max": "33554432", "pids.max": "1024"]),
        ]
        for row in table {
            for file in files { try? FileManager.default.removeItem(atPath: tree.path + "/p/c/" + file) }
            try driver.apply(row.limits, to: "/p//c/")
            for file in files {
                XCTAssertEqual(tree.read("p/c/" + file), row.expected[file], "\(row.name): \(file)")
            }
        }
    }

    func testPeriodOnlyKeepsTheQuotaInForce() throws {
        try tree.write("p/c/cpu.max", "50000 100000\n")
        try driver.apply(CgroupLimits(cpuPeriod: 200_000), to: "p/c")
        XCTAssertEqual(tree.read("p/c/cpu.max"), "50000 200000")
    }

    func testApplyErrorsNameFileAndValue() {
        XCTAssertThrowsError(try driver.apply(CgroupLimits(pidsLimit: 5), to: "p/../x")) { error in
            XCTAssertEqual(error as? CgroupError, .invalidPath("p/../x"))
        }
        XCTAssertThrowsError(try driver.apply(CgroupLimits(memoryLimit: 4096), to: "p/missing")) { error in
            XCTAssertEqual(error as? CgroupError,
                           .writeFailed(path: tree.path + "/p/missing/memory.max", value: "4096", errno: ENOENT))
        }
    }

    func testStatsParseUnifiedFiles() throws {
        try tree.write("p/c/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n")
        try tree.write("p/c/memory.current", "10485760\n")
        try tree.write("p/c/memory.stat", "anon 4194304\nfile 6291456\nactive_file 2097152\ninactive_file 4194304\n")
        try tree.write("p/c/pids.current", "3\n")
        XCTAssertEqual(driver.stats("p/c"), CgroupStats(
            cpuUsageNanoseconds: 1_500_000, memoryUsageBytes: 10_485_760, memoryWorkingSetBytes: 6_291_456,
            memoryRSSBytes: 4_194_304, pids: 3))
    }

    func testStatsFloorWorkingSetAndToleratesMissingFiles() throws {
        try tree.write("p/c/memory.current", "1000\n")
        try tree.write("p/c/memory.stat", "anon 10\ninactive_file 4096\n")
        XCTAssertEqual(driver.stats("p/c"), CgroupStats(memoryUsageBytes: 1000, memoryWorkingSetBytes: 0,
                                                        memoryRSSBytes: 10))
        XCTAssertEqual(driver.stats("p"), CgroupStats())
        XCTAssertNil(driver.stats("p/missing"))
        XCTAssertNil(driver.stats(".."))
    }

    func testOOMKillsFromMemoryEvents() throws {
        XCTAssertEqual(driver.oomKills("p/c"), 0)
        try tree.write("p/c/memory.events", "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n")
        XCTAssertEqual(driver.oomKills("p/c"), 2)
        XCTAssertEqual(driver.oomKills("p/missing"), 0)
    }
}
