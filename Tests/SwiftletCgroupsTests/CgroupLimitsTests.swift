import Foundation
import SwiftletCgroups
import XCTest

final class CgroupLimitsTests: XCTestCase {
    /// The kubelet's examples (reference §7) plus the clamps at both ends.
    func testCPUWeightFollowsTheKubeletCurve() {
        let table: [(shares: UInt64, weight: UInt64)] = [
            (0, 1), (1, 1), (2, 1), (3, 2), (102, 17), (256, 35), (512, 59), (1024, 100), (2048, 174),
            (4096, 303), (262_143, 10_000), (262_144, 10_000), (1_000_000, 10_000),
        ]
        for row in table {
            XCTAssertEqual(CgroupLimits.cpuWeight(shares: row.shares), row.weight, "shares \(row.shares)")
        }
    }

    func testCPUWeightIsMonotonicAndInKernelRange() {
        var previous: UInt64 = 1
        for shares in stride(from: UInt64(2), through: 262_144, by: 97) {
            let weight = CgroupLimits.cpuWeight(shares: shares)
            XCTAssertGreaterThanOrEqual(weight, previous, "shares \(shares)")
            XCTAssertTrue((1...10_000).contains(weight), "shares \(shares)")
            previous = weight
        }
    }

    func testDefaultsAreAllUnset() {
        let limits = CgroupLimits()
        XCTAssertEqual(limits, CgroupLimits(cpuShares: nil, cpuQuota: nil, cpuPeriod: nil, memoryLimit: nil,
                                            memoryMin: nil, memoryLow: nil, pidsLimit: nil))
        XCTAssertNotEqual(limits, CgroupLimits(pidsLimit: 10))
    }

    func testErrorsNameTheFileAndValue() {
        XCTAssertEqual(CgroupError.writeFailed(path: "/c/cpu.max", value: "1 2", errno: EINVAL).description,
                       "write \"1 2\" to /c/cpu.max: Invalid argument")
        XCTAssertEqual(CgroupError.controllerNotMounted(controller: "pids", file: "pids.max").description,
                       "cannot write pids.max: cgroup v1 controller \"pids\" is not mounted")
    }
}
