import SwiftletCgroups
import SwiftletTestSupport
import XCTest

/// cgroup v2 controllers are bound to v1 on the test machines, so the v2 driver runs against a fake
/// cgroupfs: a temp tree holding the files the kernel would show at the root.
final class CgroupV2DriverTests: XCTestCase {
    private var tree: TempDirectory!

    override func setUpWithError() throws {
        tree = try TempDirectory("cgroup2")
        try tree.write("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        try tree.write("cgroup.subtree_control", "")
    }

    override func tearDown() {
        tree?.remove()
    }

    func testCreateEnablesControllersInEveryAncestor() throws {
        let driver = CgroupV2Driver(root: tree.path)
        try driver.create("swiftlet/podX/c1")

        for directory in ["swiftlet", "swiftlet/podX", "swiftlet/podX/c1"] {
            XCTAssertTrue(tree.isDirectory(directory), directory)
        }
        for ancestor in ["", "swiftlet/", "swiftlet/podX/"] {
            let enabled = tree.read(ancestor + "cgroup.subtree_control") ?? ""
            XCTAssertEqual(Set(enabled.split(separator: " ").map(String.init)),
                           ["+cpu", "+memory", "+pids", "+io", "+cpuset", "+hugetlb"], ancestor)
        }
        // The leaf will hold processes; v2 forbids it from delegating controllers.
        XCTAssertNil(tree.read("swiftlet/podX/c1/cgroup.subtree_control"))
        XCTAssertTrue(driver.exists("swiftlet/podX/c1"))
        XCTAssertFalse(driver.exists("swiftlet/podY"))
    }

    func testOnlyOfferedControllersAreEnabled() throws {
        try tree.write("cgroup.controllers", "memory pids rdma\n")
        let driver = CgroupV2Driver(root: tree.path)
        try driver.create("a/b")
        XCTAssertEqual(tree.read("cgroup.subtree_control"), "+memory +pids")
        XCTAssertEqual(tree.read("a/cgroup.subtree_control"), "+memory +pids")
    }

    func testAlreadyEnabledControllersAreNotRewritten() throws {
        try tree.write("cgroup.subtree_control", "cpuset cpu io memory hugetlb pids\n")
        try CgroupV2Driver(root: tree.path).create("a")
        XCTAssertEqual(tree.read("cgroup.subtree_control"), "cpuset cpu io memory hugetlb pids\n")
    }

    func testProcsFilesAndRecursiveProcesses() throws {
        let driver = CgroupV2Driver(root: tree.path)
        try driver.create("swiftlet/podX/c1")
        try driver.create("swiftlet/podX/c2")
        try tree.write("swiftlet/podX/c1/cgroup.procs", "30\n10\n")
        try tree.write("swiftlet/podX/c2/cgroup.procs", "20\n10\n")

        XCTAssertEqual(driver.procsFiles("swiftlet/podX/c1"), [tree.path + "/swiftlet/podX/c1/cgroup.procs"])
        XCTAssertEqual(driver.procsFiles("/swiftlet//podX/c1/"), [tree.path + "/swiftlet/podX/c1/cgroup.procs"])
        XCTAssertEqual(driver.processes("swiftlet/podX"), [10, 20, 30])
        XCTAssertEqual(driver.processes("swiftlet/podX/c2"), [10, 20])
        XCTAssertEqual(driver.processes("swiftlet/none"), [])
    }

    func testKillAllUsesCgroupKill() throws {
        let driver = CgroupV2Driver(root: tree.path)
        try driver.create("swiftlet/podX")
        try tree.write("swiftlet/podX/cgroup.kill", "")
        driver.killAll("swiftlet/podX")
        XCTAssertEqual(tree.read("swiftlet/podX/cgroup.kill"), "1")
    }

    func testRemove() throws {
        let driver = CgroupV2Driver(root: tree.path)
        try driver.create("swiftlet/podX/c1")
        try driver.remove("swiftlet/podX/c1")
        XCTAssertFalse(driver.exists("swiftlet/podX/c1"))
        XCTAssertTrue(driver.exists("swiftlet/podX"))
        XCTAssertNoThrow(try driver.remove("swiftlet/never-created"), "ENOENT is not an error")
    }

    func testInvalidPathsAreRejected() {
        let driver = CgroupV2Driver(root: tree.path)
        for path in ["", "/", "../escape", "swiftlet/../../etc", "a/./b"] {
            XCTAssertThrowsError(try driver.create(path), path) { error in
                XCTAssertEqual(error as? CgroupError, .invalidPath(path))
            }
            XCTAssertEqual(driver.procsFiles(path), [], path)
            XCTAssertFalse(driver.exists(path), path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tree.path + "/../escape"))
    }

    func testWriteFailureNamesTheFile() throws {
        // A dangling symlink reads as absent but cannot be written, like a kernel refusing the write.
        try FileManager.default.removeItem(atPath: tree.path + "/cgroup.subtree_control")
        try FileManager.default.createSymbolicLink(
            atPath: tree.path + "/cgroup.subtree_control", withDestinationPath: tree.path + "/missing/dir")
        XCTAssertThrowsError(try CgroupV2Driver(root: tree.path).create("a")) { error in
            guard case .writeFailed(let path, let value, _)? = error as? CgroupError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, tree.path + "/cgroup.subtree_control")
            XCTAssertTrue(value.contains("+memory"))
            XCTAssertTrue("\(error)".contains(path))
        }
    }
}
