import Foundation
import SwiftletCgroups
import SwiftletTestSupport
import XCTest

/// apply/stats/oomKills of the v1 driver against a fake tree (cpu,cpuacct jointly mounted).
final class CgroupV1LimitsTests: XCTestCase {
    private var tree: TempDirectory!
    private var driver: CgroupV1Driver!
    private let files = [
        "cpu,cpuacct/p/c/cpu.shares", "cpu,cpuacct/p/c/cpu.cfs_period_us", "cpu,cpuacct/p/c/cpu.cfs_quota_us",
        "memory/p/c/memory.limit_in_bytes", "pids/p/c/pids.max",
    ]

    override func setUpWithError() throws {
        tree = try TempDirectory("cgroup1-limits")
        for mount in ["cpu,cpuacct", "memory", "pids"] {
            try tree.write(mount + "/p/c/cgroup.procs", "")
        }
        let joint = tree.path + "/cpu,cpuacct"
        driver = CgroupV1Driver(hierarchies: [
            "cpu": joint, "cpuacct": joint, "memory": tree.path + "/memory", "pids": tree.path + "/pids",
        ])
    }

    override func tearDown() {
        tree?.remove()
    }

    func testApplyWritesExactlyTheSetFiles() throws {
        let table: [(name: String, limits: CgroupLimits, expected: [String: String])] = [
            ("nothing set", CgroupLimits(), [:]),
            ("shares", CgroupLimits(cpuShares: 256), ["cpu,cpuacct/p/c/cpu.shares": "256"]),
            ("quota, default period", CgroupLimits(cpuQuota: 25_000),
             ["cpu,cpuacct/p/c/cpu.cfs_period_us": "100000", "cpu,cpuacct/p/c/cpu.cfs_quota_us": "25000"]),
            ("quota and period", CgroupLimits(cpuQuota: 5_000, cpuPeriod: 10_000),
             ["cpu,cpuacct/p/c/cpu.cfs_period_us": "10000", "cpu,cpuacct/p/c/cpu.cfs_quota_us": "5000"]),
            ("unlimited quota", CgroupLimits(cpuQuota: -1),
             ["cpu,cpuacct/p/c/cpu.cfs_period_us": "100000", "cpu,cpuacct/p/c/cpu.cfs_quota_us": "-1"]),
            ("period only", CgroupLimits(cpuPeriod: 20_000), ["cpu,cpuacct/p/c/cpu.cfs_period_us": "20000"]),
            ("memory", CgroupLimits(memoryLimit: 33_554_432), ["memory/p/c/memory.limit_in_bytes": "33554432"]),
            ("unlimited memory", CgroupLimits(memoryLimit: -1), ["memory/p/c/memory.limit_in_bytes": "-1"]),
            ("v2-only protection is ignored", CgroupLimits(memoryMin: 4096, memoryLow: 4096), [:]),
            ("pids", CgroupLimits(pidsLimit: 10), ["pids/p/c/pids.max": "10"]),
            ("unlimited pids", CgroupLimits(pidsLimit: -1), ["pids/p/c/pids.max": "max"]),
        ]
        for row in table {
            for file in files { try? FileManager.default.removeItem(atPath: tree.path + "/" + file) }
            try driver.apply(row.limits, to: "p/c")
            for file in files {
                XCTAssertEqual(tree.read(file), row.expected[file], "\(row.name): \(file)")
            }
        }
        XCTAssertNil(tree.read("memory/p/c/memory.min"))
    }

    func testApplyErrors() {
        let noPids = CgroupV1Driver(hierarchies: ["memory": tree.path + "/memory"])
        XCTAssertThrowsError(try noPids.apply(CgroupLimits(pidsLimit: 5), to: "p/c")) { error in
            XCTAssertEqual(error as? CgroupError, .controllerNotMounted(controller: "pids", file: "pids.max"))
        }
        XCTAssertThrowsError(try driver.apply(CgroupLimits(cpuShares: 2), to: "")) { error in
            XCTAssertEqual(error as? CgroupError, .invalidPath(""))
        }
        XCTAssertThrowsError(try driver.apply(CgroupLimits(cpuQuota: 1000), to: "p/missing")) { error in
            XCTAssertEqual(error as? CgroupError, .writeFailed(
                path: tree.path + "/cpu,cpuacct/p/missing/cpu.cfs_period_us", value: "100000", errno: ENOENT))
        }
    }

    func testStatsParseV1Files() throws {
        try tree.write("cpu,cpuacct/p/c/cpuacct.usage", "123456789\n")
        try tree.write("memory/p/c/memory.usage_in_bytes", "10485760\n")
        // Only the hierarchical total_* keys count; the local ones must not be picked up.
        try tree.write("memory/p/c/memory.stat", "cache 1\nrss 2\ninactive_file 3\ntotal_cache 6291456\n"
                       + "total_rss 4194304\ntotal_inactive_file 2097152\ntotal_active_file 4194304\n")
        try tree.write("pids/p/c/pids.current", "2\n")
        XCTAssertEqual(driver.stats("p/c"), CgroupStats(
            cpuUsageNanoseconds: 123_456_789, memoryUsageBytes: 10_485_760, memoryWorkingSetBytes: 8_388_608,
            memoryRSSBytes: 4_194_304, pids: 2))
    }

    func testStatsFloorWorkingSetAndToleratesMissingFiles() throws {
        try tree.write("memory/p/c/memory.usage_in_bytes", "100\n")
        try tree.write("memory/p/c/memory.stat", "total_inactive_file 4096\n")
        XCTAssertEqual(driver.stats("p/c"), CgroupStats(memoryUsageBytes: 100))
        XCTAssertEqual(driver.stats("p"), CgroupStats())
        XCTAssertNil(driver.stats("p/missing"))
    }

    func testOOMKillsFromOOMControl() throws {
        XCTAssertEqual(driver.oomKills("p/c"), 0)
        try tree.write("memory/p/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n")
        XCTAssertEqual(driver.oomKills("p/c"), 4)
        XCTAssertEqual(CgroupV1Driver(hierarchies: [:]).oomKills("p/c"), 0)
    }
}
