import Foundation
import SwiftletImages
import SwiftletTestSupport
import XCTest

final class LocalImageStoreTests: XCTestCase {
    private var work: TempDirectory!
    private var store: LocalImageStore!
    private var rootfs: String { work.path + "/src" }
    private let config = ImageConfig(entrypoint: ["/bin/app"], cmd: ["--serve"], env: ["PATH=/bin"], workingDir: "/", user: "0:0")

    override func setUpWithError() throws {
        work = try TempDirectory("images")
        store = try LocalImageStore(stateDir: work.path + "/state")
        // A tiny rootfs: an executable, a symlink to it, a hard link, a private file and a directory.
        try work.write("src/bin/app", "#!/bin/sh\necho hello\n")
        try work.write("src/etc/secret", "s3cret\n")
        let fm = FileManager.default
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: rootfs + "/bin/app")
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rootfs + "/etc/secret")
        try fm.createSymbolicLink(atPath: rootfs + "/bin/sh", withDestinationPath: "app")
        try fm.linkItem(atPath: rootfs + "/bin/app", toPath: rootfs + "/bin/app-hardlink")
        try fm.createDirectory(atPath: rootfs + "/tmp", withIntermediateDirectories: false)
    }

    override func tearDown() {
        work?.remove()
    }

    func testImportDirectoryPreservesTheTree() throws {
        let record = try store.importRootfs(from: rootfs, reference: "busybox", config: config)
        XCTAssertTrue(record.id.hasPrefix("sha256:"))
        XCTAssertEqual(record.id.count, 7 + 64)
        XCTAssertEqual(record.references, ["docker.io/library/busybox:latest"])
        XCTAssertEqual(record.config, config)
        XCTAssertEqual(record.size, Int64("#!/bin/sh\necho hello\n".utf8.count + "s3cret\n".utf8.count))
        XCTAssertTrue(record.rootfs.hasPrefix(work.path + "/state/images/"))

        let fm = FileManager.default
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: record.rootfs + "/bin/sh"), "app")
        XCTAssertEqual(try permissions(record.rootfs + "/bin/app"), 0o755)
        XCTAssertEqual(try permissions(record.rootfs + "/etc/secret"), 0o600)
        XCTAssertEqual(try inode(record.rootfs + "/bin/app"), try inode(record.rootfs + "/bin/app-hardlink"))
        XCTAssertTrue(fm.fileExists(atPath: record.rootfs + "/tmp"))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work.path + "/state/images/tmp"), [], "staging cleaned up")
    }

    func testResolveAcceptsEverySpelling() throws {
        let record = try store.importRootfs(from: rootfs, reference: "busybox:latest", config: config)
        for spelling in ["busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox",
                         "docker.io/library/busybox:latest", "index.docker.io/library/busybox", record.id] {
            XCTAssertEqual(try store.resolve(spelling), record, spelling)
        }
        XCTAssertNil(try store.resolve("busybox:1.36"))
        XCTAssertNil(try store.resolve("other"))
        XCTAssertThrowsError(try store.resolve("Bad Name")) { error in
            guard case .invalidReference("Bad Name", _)? = error as? ImageError else { return XCTFail("\(error)") }
        }
    }

    func testSameTreeIsOneImageWithTwoReferencesAndRemoveGoesByReference() throws {
        let first = try store.importRootfs(from: rootfs, reference: "busybox", config: config)
        let second = try store.importRootfs(from: rootfs, reference: "localhost/x:v1", config: config)
        XCTAssertEqual(first.id, second.id)
        XCTAssertEqual(second.references, ["docker.io/library/busybox:latest", "localhost/x:v1"])
        XCTAssertEqual(try store.list().count, 1)

        try store.remove("busybox:latest")
        XCTAssertNil(try store.resolve("busybox"))
        XCTAssertEqual(try store.resolve("localhost/x:v1")?.references, ["localhost/x:v1"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.rootfs), "image kept while a reference is left")

        try store.remove("localhost/x:v1")
        XCTAssertEqual(try store.list(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: first.rootfs), "rootfs removed with the last reference")
        XCTAssertThrowsError(try store.remove("localhost/x:v1")) { error in
            XCTAssertEqual(error as? ImageError, .notFound("localhost/x:v1"))
        }
    }

    func testDifferentConfigOrContentIsADifferentImage() throws {
        let base = try store.importRootfs(from: rootfs, reference: "a", config: config)
        let otherConfig = try store.importRootfs(from: rootfs, reference: "b", config: ImageConfig(cmd: ["sh"]))
        try work.write("src/etc/secret", "S3CRET\n")  // same size, different bytes
        let otherContent = try store.importRootfs(from: rootfs, reference: "c", config: config)
        XCTAssertEqual(Set([base.id, otherConfig.id, otherContent.id]).count, 3)
        XCTAssertEqual(try store.list().map(\.references), [
            ["docker.io/library/a:latest"], ["docker.io/library/b:latest"], ["docker.io/library/c:latest"],
        ])
    }

    func testRetagMovesReferenceAndDropsTheOrphan() throws {
        let old = try store.importRootfs(from: rootfs, reference: "app:v1", config: config)
        try work.write("src/bin/new", "new\n")
        let new = try store.importRootfs(from: rootfs, reference: "app:v1", config: config)
        XCTAssertNotEqual(old.id, new.id)
        XCTAssertEqual(try store.list().map(\.id), [new.id])
        XCTAssertFalse(FileManager.default.fileExists(atPath: old.rootfs))
    }

    func testRemoveByImageIDRemovesAllReferences() throws {
        let record = try store.importRootfs(from: rootfs, reference: "a", config: config)
        _ = try store.importRootfs(from: rootfs, reference: "b", config: config)
        try store.remove(record.id)
        XCTAssertEqual(try store.list(), [])
    }

    func testTarballImportMatchesDirectoryImport() throws {
        let fromDirectory = try store.importRootfs(from: rootfs, reference: "dir", config: config)
        for (name, flags) in [("rootfs.tar", "-cf"), ("rootfs.tar.gz", "-czf"), ("rootfs.tgz", "-czf")] {
            let archive = work.path + "/" + name
            try run("/usr/bin/tar", ["-C", rootfs, flags, archive, "."])
            let record = try store.importRootfs(from: archive, reference: "tar/" + name.replacingOccurrences(of: ".", with: "-"), config: config)
            XCTAssertEqual(record.id, fromDirectory.id, name)
        }
        XCTAssertEqual(try store.list().count, 1)
        XCTAssertEqual(try store.resolve("tar/rootfs-tgz")?.references.count, 4)
    }

    func testHostileTarballsAreRefused() throws {
        try work.write("outside/x", "escape\n")
        let cases: [(String, [String], String)] = [
            ("dotdot.tar", ["-C", work.path + "/src", "-P", "-cf", work.path + "/dotdot.tar", "../outside/x"], "../outside/x"),
            ("absolute.tar", ["-P", "-cf", work.path + "/absolute.tar", work.path + "/outside/x"], work.path + "/outside/x"),
        ]
        for (name, arguments, member) in cases {
            try run("/usr/bin/tar", arguments)
            try FileManager.default.removeItem(atPath: work.path + "/outside/x")
            let archive = work.path + "/" + name
            XCTAssertThrowsError(try store.importRootfs(from: archive, reference: "evil", config: config), name) { error in
                XCTAssertEqual(error as? ImageError, .unsafeArchiveMember(archive: archive, member: member))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.path + "/outside/x"), name)
            try work.write("outside/x", "escape\n")
        }
        XCTAssertEqual(try store.list(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path + "/state/images/tmp"), [])
    }

    func testSymlinkThenWriteThroughItDoesNotEscape() throws {
        // "a -> <outside>" followed by "a/passwd": GNU tar defers such symlinks, so the write fails instead
        // of landing outside the rootfs; the import must fail and leave nothing behind.
        let outside = work.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work.path + "/evil", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: work.path + "/evil/a", withDestinationPath: outside)
        let archive = work.path + "/evil.tar"
        try run("/usr/bin/tar", ["-C", work.path + "/evil", "-cf", archive, "a"])
        try FileManager.default.removeItem(atPath: work.path + "/evil/a")
        try work.write("evil/a/passwd", "pwned\n")
        try run("/usr/bin/tar", ["-C", work.path + "/evil", "-rf", archive, "a/passwd"])

        XCTAssertThrowsError(try store.importRootfs(from: archive, reference: "evil", config: config)) { error in
            guard case .commandFailed(let command, _, _)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertTrue(command.contains(archive))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [])
        XCTAssertEqual(try store.list(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path + "/state/images/tmp"), [])
    }

    func testBadSources() throws {
        try work.write("notes.txt", "hi")
        let cases: [(String, ImageError)] = [
            (work.path + "/missing", .sourceNotFound(work.path + "/missing")),
            (work.path + "/notes.txt", .unsupportedSource(work.path + "/notes.txt")),
        ]
        for (path, expected) in cases {
            XCTAssertThrowsError(try store.importRootfs(from: path, reference: "x", config: config)) { error in
                XCTAssertEqual(error as? ImageError, expected)
            }
        }
        XCTAssertThrowsError(try store.importRootfs(from: rootfs, reference: "UPPER", config: config)) { error in
            guard case .invalidReference("UPPER", _)? = error as? ImageError else { return XCTFail("\(error)") }
        }
    }

    func testConcurrentImportsKeepEveryReference() throws {
        let stateDir = work.path + "/state"
        let source = rootfs
        let config = config
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            do {
                // Separate store objects, like a CLI process next to the daemon.
                let store = try LocalImageStore(stateDir: stateDir)
                _ = try store.importRootfs(from: source, reference: "app:v\(worker)", config: config)
            } catch {
                failures.append("\(worker): \(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
        let images = try store.list()
        XCTAssertEqual(images.count, 1)
        XCTAssertEqual(images.first?.references, (0..<6).map { "docker.io/library/app:v\($0)" })
    }

    func testIndexSurvivesAReopen() throws {
        let record = try store.importRootfs(from: rootfs, reference: "busybox", config: config)
        let reopened = try LocalImageStore(stateDir: work.path + "/state")
        XCTAssertEqual(try reopened.list(), [record])
    }

    private func permissions(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    private func inode(_ path: String) throws -> UInt64 {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, ([executable] + arguments).joined(separator: " "))
    }
}

/// Errors collected from concurrent workers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
