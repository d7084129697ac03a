import SwiftletCgroups
import SwiftletTestSupport
import XCTest

final class CgroupDetectionTests: XCTestCase {
    /// This test machine: v1 controllers mounted separately, cgroup2 at /unified with only hugetlb.
    static let hybrid = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """

    /// A systemd distro on v1: cpu and cpuacct (and net_cls,net_prio) jointly mounted, optional fields present.
    static let joint = """
        25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
        27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd
        30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct
        31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory
        32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:16 - cgroup cgroup rw,net_cls,net_prio
        33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid shared:17 - cgroup cgroup rw,pids
        """

    static let pureV2 = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """

    /// A cgroupfs bind-mounted into some container rootfs must not be taken for the host's.
    static let elsewhereOnly = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        90 22 0:31 / /var/lib/x/rootfs/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
        """

    func testLayouts() {
        let base = "/sys/fs/cgroup"
        let cases: [(String, String, CgroupLayout?)] = [
            ("hybrid", Self.hybrid, .v1(hierarchies: [
                "cpu": base + "/cpu", "cpuacct": base + "/cpuacct", "cpuset": base + "/cpuset",
                "memory": base + "/memory", "devices": base + "/devices", "freezer": base + "/freezer",
                "blkio": base + "/blkio", "pids": base + "/pids",
            ])),
            ("joint", Self.joint, .v1(hierarchies: [
                "cpu": base + "/cpu,cpuacct", "cpuacct": base + "/cpu,cpuacct",
                "memory": base + "/memory", "pids": base + "/pids",
            ])),
            ("pure v2", Self.pureV2, .v2(root: base)),
            ("elsewhere only", Self.elsewhereOnly, nil),
            ("empty", "", nil),
        ]
        for (name, text, expected) in cases {
            XCTAssertEqual(detectCgroupLayout(root: base, mountinfo: text), expected, name)
        }
    }

    func testJointMountIsOneDirectory() throws {
        let file = try TempDirectory("mountinfo")
        defer { file.remove() }
        try file.write("mountinfo", Self.joint)
        let driver = try detectCgroupDriver(mountinfoPath: file.path + "/mountinfo")
        let v1 = try XCTUnwrap(driver as? CgroupV1Driver)
        XCTAssertEqual(v1.mounts, ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids"])
        XCTAssertEqual(v1.procsFiles("swiftlet/podA/c"), [
            "/sys/fs/cgroup/cpu,cpuacct/swiftlet/podA/c/cgroup.procs",
            "/sys/fs/cgroup/memory/swiftlet/podA/c/cgroup.procs",
            "/sys/fs/cgroup/pids/swiftlet/podA/c/cgroup.procs",
        ])
    }

    func testPureV2GivesV2Driver() throws {
        let file = try TempDirectory("mountinfo")
        defer { file.remove() }
        try file.write("mountinfo", Self.pureV2)
        let driver = try detectCgroupDriver(mountinfoPath: file.path + "/mountinfo")
        XCTAssertEqual((driver as? CgroupV2Driver)?.root, "/sys/fs/cgroup")
    }

    func testNoMountIsTypedError() throws {
        let file = try TempDirectory("mountinfo")
        defer { file.remove() }
        try file.write("mountinfo", Self.elsewhereOnly)
        let path = file.path + "/mountinfo"
        XCTAssertThrowsError(try detectCgroupDriver(mountinfoPath: path)) { error in
            XCTAssertEqual(error as? CgroupError, .noCgroupMount(root: "/sys/fs/cgroup", mountinfo: path))
        }
        XCTAssertThrowsError(try detectCgroupDriver(mountinfoPath: file.path + "/missing")) { error in
            guard case .readFailed(let failed, _)? = error as? CgroupError else { return XCTFail("\(error)") }
            XCTAssertEqual(failed, file.path + "/missing")
        }
    }

    func testEscapedMountPoint() {
        let text = "40 31 0:37 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n"
        XCTAssertEqual(detectCgroupLayout(root: "/sys/fs/cgroup", mountinfo: text),
                       .v1(hierarchies: ["memory": "/sys/fs/cgroup/my mem"]))
    }
}
