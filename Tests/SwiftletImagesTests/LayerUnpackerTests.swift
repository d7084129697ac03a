import CArchive
import Foundation
@testable import SwiftletImages
import SwiftletTestSupport
import XCTest

final class LayerUnpackerTests: XCTestCase {
    private var work: TempDirectory!
    private var outside: String { work.path + "/outside" }

    override func setUpWithError() throws {
        work = try TempDirectory("layers")
        try work.write("outside/keep", "host file\n")
    }

    override func tearDown() {
        work?.remove()
    }

    /// Unpacks `members` (written with `compression`) into a fresh snapshot directory.
    private func unpack(
        _ members: [TarBuilder.Member], compression: TarBuilder.Compression = .none, privileged: Bool? = nil,
        name: String = "layer"
    ) throws -> (root: String, result: LayerUnpacker.Result) {
        let archive = work.path + "/\(name).tar"
        try TarBuilder.write(archive, members, compression: compression)
        let root = work.path + "/\(name)-snapshot"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        var unpacker = LayerUnpacker(archivePath: archive, root: root)
        if let privileged { unpacker.privileged = privileged }
        return (root, try unpacker.unpack())
    }

    /// Everything under `outside` (the stand-in for the host) is as the test left it.
    private func assertOutsideUntouched(_ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: outside)) ?? []
        XCTAssertEqual(names.sorted(), ["keep"], label, file: file, line: line)
        XCTAssertEqual(work.read("outside/keep"), "host file\n", label, file: file, line: line)
    }

    func testUnpacksFilesDirectoriesLinksInEveryCompression() throws {
        for compression in [TarBuilder.Compression.none, .gzip, .zstd] {
            let (root, result) = try unpack([
                .directory("bin/", mode: 0o755),
                .file("bin/app", "#!/bin/sh\n", mode: 0o4755),
                .symlink("bin/sh", target: "/bin/app"),
                .hardlink("bin/app2", target: "bin/app"),
                .file("./etc/conf", "a=1\n", mode: 0o600),
                .directory("ro", mode: 0o555),
                .file("ro/inside", "x"),
            ], compression: compression, name: "plain-\(compression)")
            let label = "\(compression)"
            XCTAssertEqual(try String(contentsOfFile: root + "/bin/app", encoding: .utf8), "#!/bin/sh\n", label)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/sh"), "/bin/app", label)
            var app = stat(), app2 = stat(), conf = stat(), ro = stat()
            XCTAssertEqual(lstat(root + "/bin/app", &app), 0)
            XCTAssertEqual(lstat(root + "/bin/app2", &app2), 0)
            XCTAssertEqual(lstat(root + "/etc/conf", &conf), 0)
            XCTAssertEqual(lstat(root + "/ro", &ro), 0)
            XCTAssertEqual(app.st_ino, app2.st_ino, "hard link shares the inode (\(label))")
            XCTAssertEqual(app.st_mode & 0o7777, 0o4755, "set-uid kept (\(label))")
            XCTAssertEqual(conf.st_mode & 0o7777, 0o600, label)
            XCTAssertEqual(ro.st_mode & 0o7777, 0o555, "directory mode applied after its members (\(label))")
            XCTAssertEqual(app.st_mtim.tv_sec, 1_700_000_000, label)
            XCTAssertEqual(result.bytes, Int64("#!/bin/sh\n".utf8.count + "a=1\n".utf8.count + 1), label)
        }
    }

    func testHostileMembersAreRefusedAndNothingLandsOutside() throws {
        let cases: [(String, [TarBuilder.Member], String)] = [
            ("dotdot", [.file("../../outside/evil", "x")], "\"..\" would leave the layer"),
            ("dotdot-inner", [.directory("a/"), .file("a/../../outside/evil", "x")], "\"..\" would leave the layer"),
            ("symlink-escape", [.symlink("link", target: outside), .file("link/evil", "x")],
             "\"link\" on its path is a symlink or not a directory"),
            ("relative-symlink-escape", [.symlink("up", target: "../../../../../../.."), .file("up/tmp/evil", "x")],
             "\"up\" on its path is a symlink or not a directory"),
            ("file-as-directory", [.file("f", "x"), .file("f/evil", "x")], "\"f\" on its path is a symlink or not a directory"),
            ("hardlink-host", [.hardlink("shadow", target: "/etc/shadow")], "\"etc\" is not a directory of this layer"),
            ("hardlink-outside", [.hardlink("keep", target: outside + "/keep")], "is not a directory of this layer"),
            ("hardlink-dotdot", [.hardlink("keep", target: "../outside/keep")], "\"..\" would leave the layer"),
            ("hardlink-through-symlink", [.symlink("o", target: outside), .hardlink("keep", target: "o/keep")],
             "\"o\" on its path is a symlink or not a directory"),
            ("long-component", [.file(String(repeating: "n", count: 256), "x")], "a component is longer than 255 bytes"),
            ("long-path", [.file(Array(repeating: "d", count: 2100).joined(separator: "/"), "x")],
             "name is longer than 4095 bytes"),
        ]
        for (name, members, reason) in cases {
            XCTAssertThrowsError(try unpack(members, name: name), name) { error in
                guard case .unsafeLayerMember(_, _, let actual) = error as? ImageError else {
                    return XCTFail("\(name): unexpected error \(error)")
                }
                XCTAssertTrue(actual.contains(reason), "\(name): \(actual)")
            }
            assertOutsideUntouched(name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/evil"))
    }

    func testAbsoluteNamesStayInsideTheSnapshot() throws {
        let (root, _) = try unpack([.file(outside + "/evil", "x"), .file("/etc/evil", "y")])
        assertOutsideUntouched("absolute")
        XCTAssertEqual(try String(contentsOfFile: root + outside + "/evil", encoding: .utf8), "x")
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/evil", encoding: .utf8), "y")
    }

    func testSymlinksPointingOutsideAreKeptAsLinksOnly() throws {
        // A symlink to anywhere is legitimate content (it resolves inside the container's root later); only
        // writing through it is refused.
        let (root, _) = try unpack([.symlink("etc-link", target: "/etc"), .symlink("keep", target: outside + "/keep")])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/etc-link"), "/etc")
        assertOutsideUntouched("symlinks")
    }

    func testLaterMemberReplacesAnEarlierSymlinkInsteadOfWritingThroughIt() throws {
        let (root, _) = try unpack([.symlink("keep", target: outside + "/keep"), .file("keep", "layer's own\n")])
        assertOutsideUntouched("replace symlink")
        var info = stat()
        XCTAssertEqual(lstat(root + "/keep", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
    }

    /// Found while seeding the layer fuzzer: a directory replaced by a later file, then listed again, was
    /// refused ("not a directory" when applying the first entry's mode), and members after the second entry
    /// went through the cached descriptor of the removed directory and vanished. In tar the last member wins.
    func testDirectoryReplacedByALaterMemberTakesTheLaterMembers() throws {
        let (root, _) = try unpack([
            .directory("x", mode: 0o755), .file("x/a", "1"), .file("x", "file now"), .directory("x", mode: 0o700),
            .file("x/b", "2"), .directory("y"), .file("y", "file wins"),
        ])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/x"), ["b"])
        XCTAssertEqual(work.read("layer-snapshot/x/b"), "2")
        XCTAssertEqual(work.read("layer-snapshot/y"), "file wins")
        var info = stat()
        XCTAssertEqual(lstat(root + "/x", &info), 0)
        XCTAssertEqual(info.st_mode & 0o7777, 0o700, "the later directory entry's mode")
        assertOutsideUntouched("replaced directories")
    }

    func testDeviceNodesNeedPrivilege() throws {
        let (root, result) = try unpack([.device("dev/null-ish", major: 1, minor: 3)], privileged: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/dev/null-ish"))
        XCTAssertEqual(result.skipped, ["dev/null-ish (device node; not root)"])
    }

    func testWhiteoutsBecomeOverlayWhiteouts() throws {
        try XCTSkipUnless(geteuid() == 0, "overlay whiteouts (0:0 devices, trusted xattrs) need root")
        let (root, _) = try unpack([
            .directory("etc/"), .file("etc/.wh.removed", ""), .directory("opaque/"), .file("opaque/.wh..wh..opq", ""),
            .file("opaque/new", "n"), .file(".wh..wh.plnk", ""),
        ])
        var info = stat()
        XCTAssertEqual(lstat(root + "/etc/removed", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(info.st_rdev, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/.wh.removed"))
        var flag = [CChar](repeating: 0, count: 2)
        XCTAssertEqual(getxattr(root + "/opaque", "trusted.overlay.opaque", &flag, 1), 1)
        XCTAssertEqual(flag[0], 0x79)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/opaque/.wh..wh..opq"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["etc", "opaque"])
    }

    func testLayerCannotSetOverlayXattrs() throws {
        try XCTSkipUnless(geteuid() == 0, "trusted xattrs need root")
        let archive = work.path + "/xattr.tar"
        guard let writer = archive_write_new() else { return XCTFail("archive_write_new") }
        archive_write_set_format_pax_restricted(writer)
        XCTAssertEqual(archive_write_open_filename(writer, archive), ARCHIVE_OK)
        let entry = archive_entry_new()
        archive_entry_set_pathname(entry, "d")
        archive_entry_set_filetype(entry, 0o040000)
        archive_entry_set_perm(entry, 0o755)
        archive_entry_xattr_add_entry(entry, "trusted.overlay.opaque", "y", 1)
        archive_entry_xattr_add_entry(entry, "user.note", "ok", 2)
        XCTAssertEqual(archive_write_header(writer, entry), ARCHIVE_OK)
        archive_entry_free(entry)
        archive_write_close(writer)
        archive_write_free(writer)
        let root = work.path + "/xattr-snapshot"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        _ = try LayerUnpacker(archivePath: archive, root: root).unpack()
        var flag = [CChar](repeating: 0, count: 2)
        XCTAssertEqual(getxattr(root + "/d", "trusted.overlay.opaque", &flag, 1), -1, "trusted.overlay.* from a layer is dropped")
    }

    func testComponentsTable() throws {
        let cases: [(String, [String]?)] = [
            ("a/b", ["a", "b"]), ("./a//b/", ["a", "b"]), ("/abs/x", ["abs", "x"]), ("./", []),
            ("a/./b", ["a", "b"]), ("..", nil), ("a/../b", nil), ("...", ["..."]), ("a/..b", ["a", "..b"]),
        ]
        for (name, expected) in cases {
            if let expected {
                XCTAssertEqual(try LayerUnpacker.components(of: name), expected, name)
            } else {
                XCTAssertThrowsError(try LayerUnpacker.components(of: name), name)
            }
        }
    }
}
