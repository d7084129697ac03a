import Foundation
import SwiftletSystem
import XCTest

/// `CgroupSelfJoin` writes "0" to the v1 `tasks` file next to each `cgroup.procs` when there is
/// one (no global lock in the kernel) and to `cgroup.procs` otherwise (v2). Regular files stand in
/// for cgroupfs here: what matters is which file gets the write; the real moves run in every
/// integration test's pod.
final class CgroupSelfJoinTests: XCTestCase {
    func testWritesTasksOnV1AndCgroupProcsOtherwise() throws {
        let root = NSTemporaryDirectory() + "cgroup-self-join-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let v1 = root + "/memory/pod/sandbox", v2 = root + "/unified/pod/sandbox"
        for dir in [v1, v2] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for file in [v1 + "/cgroup.procs", v1 + "/tasks", v2 + "/cgroup.procs"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        }
        try CgroupSelfJoin.join([v1 + "/cgroup.procs", v2 + "/cgroup.procs"])
        func content(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "missing" }
        XCTAssertEqual(content(v1 + "/tasks"), "0")
        XCTAssertEqual(content(v1 + "/cgroup.procs"), "")
        XCTAssertEqual(content(v2 + "/cgroup.procs"), "0")
    }
}
