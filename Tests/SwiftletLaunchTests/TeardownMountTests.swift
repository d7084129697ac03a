import Foundation
import Glibc
import SwiftletSystem
import XCTest

/// The pieces a pod teardown uses so it no longer reads the whole mount table or polls /proc for
/// every pod: the two-stat mount check, the removal that reads the table only when a mount is in
/// the way, and the pidfd wait for a process's exit. Real tmpfs mounts and processes (root).
final class TeardownMountTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "teardown-mounts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/a/b/m", withIntermediateDirectories: true)
    }

    override func tearDown() {
        for point in Mount.mountPoints(under: root) { try? Mount.unmount(point) }
        try? FileManager.default.removeItem(atPath: root)
    }

    func testIsMountedFilesystemSeesATmpfsAndNotAPlainDirectory() throws {
        let point = root + "/a/b/m"
        XCTAssertFalse(Mount.isMountedFilesystem(point))
        XCTAssertFalse(Mount.isMountedFilesystem(root + "/missing"))
        try Mount.tmpfs(target: point, options: "size=1m")
        XCTAssertTrue(Mount.isMountedFilesystem(point))
        try Mount.unmount(point)
        XCTAssertFalse(Mount.isMountedFilesystem(point))
    }

    func testRemoveTreeUnmountingUnmountsWhatNobodyRecordedAndKeepsItsContentOutOfReach() throws {
        let point = root + "/a/b/m"
        try Mount.tmpfs(target: point, options: "size=1m")
        XCTAssertTrue(FileManager.default.createFile(atPath: point + "/inside", contents: Data("x".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/a/outside", contents: Data("y".utf8)))
        // The plain removal stops at the mount instead of emptying it.
        XCTAssertThrowsError(try FileIO.removeTree(root + "/a")) { error in
            XCTAssertEqual((error as? SystemError)?.errno, EBUSY)
        }
        try Mount.removeTreeUnmounting(root + "/a")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/a"))
        XCTAssertEqual(Mount.mountPoints(under: root), [])
    }

    func testRemoveTreeUnmountingWithoutMountsIsAPlainRemoval() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/a/b/file", contents: Data("z".utf8)))
        try Mount.removeTreeUnmounting(root + "/a")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/a"))
        try Mount.removeTreeUnmounting(root + "/a")  // already gone: nothing to do
    }

    func testWaitForExitReturnsAtTheExitAndTimesOutWhileAlive() throws {
        let pid = try Spawn.spawn(path: "/bin/sleep", arguments: ["sleep", "30"], environment: [])
        defer { _ = try? Spawn.wait(pid) }
        let identity = try XCTUnwrap(ProcessIdentity.of(pid: pid))
        XCTAssertFalse(identity.waitForExit(timeoutMilliseconds: 50))
        XCTAssertTrue(identity.isAlive)
        kill(pid, SIGKILL)
        XCTAssertTrue(identity.waitForExit(timeoutMilliseconds: 30_000))
        XCTAssertFalse(identity.isAlive)
        // A later process with the same pid is not the one recorded.
        let impostor = ProcessIdentity(pid: getpid(), startTime: 1)
        XCTAssertTrue(impostor.waitForExit(timeoutMilliseconds: 30_000))
    }
}
