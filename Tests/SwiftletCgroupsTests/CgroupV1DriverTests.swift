import SwiftletCgroups
import SwiftletTestSupport
import XCTest

/// The v1 driver against a fake tree of separately and jointly mounted hierarchies.
final class CgroupV1DriverTests: XCTestCase {
    private var tree: TempDirectory!
    private var driver: CgroupV1Driver!

    override func setUpWithError() throws {
        tree = try TempDirectory("cgroup1")
        for mount in ["cpu,cpuacct", "cpuset", "memory"] {
            try tree.write(mount + "/cgroup.procs", "")
        }
        try tree.write("cpuset/cpuset.cpus", "0-3\n")
        try tree.write("cpuset/cpuset.mems", "0\n")
        let joint = tree.path + "/cpu,cpuacct"
        driver = CgroupV1Driver(hierarchies: [
            "cpu": joint, "cpuacct": joint, "cpuset": tree.path + "/cpuset", "memory": tree.path + "/memory/",
        ])
    }

    override func tearDown() {
        tree?.remove()
    }

    func testCreateMakesEachDistinctHierarchyOnce() throws {
        try driver.create("swiftlet/podX/c1")
        for mount in ["cpu,cpuacct", "cpuset", "memory"] {
            for directory in ["swiftlet", "swiftlet/podX", "swiftlet/podX/c1"] {
                XCTAssertTrue(tree.isDirectory(mount + "/" + directory), mount + "/" + directory)
            }
        }
        XCTAssertEqual(driver.procsFiles("swiftlet/podX/c1"), [
            tree.path + "/cpu,cpuacct/swiftlet/podX/c1/cgroup.procs",
            tree.path + "/cpuset/swiftlet/podX/c1/cgroup.procs",
            tree.path + "/memory/swiftlet/podX/c1/cgroup.procs",
        ])
        XCTAssertEqual(driver.directory(for: "swiftlet/podX", controller: "memory"), tree.path + "/memory/swiftlet/podX")
        XCTAssertNil(driver.directory(for: "swiftlet/podX", controller: "pids"))
    }

    func testCpusetInheritsCpusAndMemsDownTheTree() throws {
        try driver.create("swiftlet/podX/c1")
        for directory in ["swiftlet", "swiftlet/podX", "swiftlet/podX/c1"] {
            XCTAssertEqual(tree.read("cpuset/\(directory)/cpuset.cpus"), "0-3", directory)
            XCTAssertEqual(tree.read("cpuset/\(directory)/cpuset.mems"), "0", directory)
        }
        XCTAssertNil(tree.read("memory/swiftlet/cpuset.cpus"), "only the cpuset hierarchy gets cpuset files")
    }

    func testCpusetAlreadySetIsKept() throws {
        try tree.write("cpuset/swiftlet/cpuset.cpus", "1\n")
        try driver.create("swiftlet/podX")
        XCTAssertEqual(tree.read("cpuset/swiftlet/cpuset.cpus"), "1\n")
        XCTAssertEqual(tree.read("cpuset/swiftlet/podX/cpuset.cpus"), "1")
    }

    func testProcessesIsUnionOverHierarchies() throws {
        try driver.create("swiftlet/podX/c1")
        try tree.write("memory/swiftlet/podX/c1/cgroup.procs", "7\n5\n")
        try tree.write("cpuset/swiftlet/podX/cgroup.procs", "5\n9\n")
        XCTAssertEqual(driver.processes("swiftlet/podX"), [5, 7, 9])
        XCTAssertEqual(driver.processes("swiftlet/podX/c1"), [5, 7])
        XCTAssertTrue(driver.exists("swiftlet/podX"))
        XCTAssertFalse(driver.exists("swiftlet/podY"))
    }

    func testCreateFailureNamesTheDirectory() throws {
        try tree.write("memory/swiftlet", "a file where a cgroup directory should be")
        XCTAssertThrowsError(try driver.create("swiftlet/podX")) { error in
            XCTAssertEqual(error as? CgroupError, .createFailed(path: tree.path + "/memory/swiftlet", errno: EEXIST))
        }
    }
}
