import Foundation
@testable import SwiftletImages
import SwiftletTestSupport
import XCTest

/// Writes OCI image layouts blob by blob, so tests control every digest, media type and platform.
struct LayoutBuilder {
    let path: String

    init(_ path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
    }

    @discardableResult
    func blob(_ data: Data, _ mediaType: String, platform: OCIPlatform? = nil) throws -> OCIDescriptor {
        let digest = try OCIDigest(parsing: SHA256.digest(of: [UInt8](data)))
        try data.write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + digest.hex))
        return OCIDescriptor(mediaType: mediaType, digest: digest, size: Int64(data.count), platform: platform)
    }

    func json(_ object: Any, _ mediaType: String, platform: OCIPlatform? = nil) throws -> OCIDescriptor {
        try blob(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), mediaType, platform: platform)
    }

    static func encode(_ descriptor: OCIDescriptor) -> [String: Any] {
        var object: [String: Any] = [
            "mediaType": descriptor.mediaType, "digest": descriptor.digest.description, "size": descriptor.size,
        ]
        if let platform = descriptor.platform {
            object["platform"] = ["os": platform.os, "architecture": platform.architecture]
        }
        if let annotations = descriptor.annotations { object["annotations"] = annotations }
        return object
    }

    /// A manifest over `layers` (tar files) with a config holding `execution`.
    func image(layers: [String], execution: [String: Any], platform: OCIPlatform = .host) throws -> OCIDescriptor {
        var layerDescriptors: [OCIDescriptor] = []
        for layer in layers {
            layerDescriptors.append(try blob(try Data(contentsOf: URL(fileURLWithPath: layer)), OCIMediaType.layer + "+gzip"))
        }
        let config = try json([
            "architecture": platform.architecture, "os": platform.os, "config": execution,
            "rootfs": ["type": "layers", "diff_ids": layerDescriptors.map { $0.digest.description }],
        ], OCIMediaType.config)
        return try json([
            "schemaVersion": 2, "mediaType": OCIMediaType.manifest, "config": Self.encode(config),
            "layers": layerDescriptors.map(Self.encode),
        ], OCIMediaType.manifest, platform: platform)
    }

    func writeIndex(_ entries: [(OCIDescriptor, String?)]) throws {
        let manifests: [[String: Any]] = entries.map { descriptor, name in
            var object = Self.encode(descriptor)
            if let name { object["annotations"] = [OCIDescriptor.refNameAnnotation: name] }
            return object
        }
        let data = try JSONSerialization.data(withJSONObject: ["schemaVersion": 2, "manifests": manifests])
        try data.write(to: URL(fileURLWithPath: path + "/index.json"))
    }
}

final class OCIImageStoreTests: XCTestCase {
    private var work: TempDirectory!
    private var store: LocalImageStore!
    private var lower: String { work.path + "/lower.tar.gz" }
    private var upper: String { work.path + "/upper.tar.gz" }
    private let execution: [String: Any] = [
        "Entrypoint": ["/bin/app"], "Cmd": ["--serve"], "Env": ["PATH=/bin", "MODE=image"], "User": "app",
        "WorkingDir": "/srv",
    ]

    override func setUpWithError() throws {
        work = try TempDirectory("oci")
        store = try LocalImageStore(stateDir: work.path + "/state")
        try TarBuilder.write(lower, [
            .file("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/srv:/bin/sh\n"),
            .file("bin/removed", "old"), .file("dir/a", "a"), .file("dir/b", "b"),
        ], compression: .gzip)
        try TarBuilder.write(upper, [
            .file("bin/.wh.removed", ""), .directory("dir/"), .file("dir/.wh..wh..opq", ""), .file("dir/c", "c"),
        ], compression: .zstd)
    }

    override func tearDown() {
        work?.remove()
    }

    private func stateEntries(_ relative: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: work.path + "/state/images/" + relative))?.sorted() ?? []
    }

    func testLayoutImportAppliesConfigLayersAndWhiteouts() throws {
        let layout = try LayoutBuilder(work.path + "/layout")
        let manifest = try layout.image(layers: [lower, upper], execution: execution)
        try layout.writeIndex([(manifest, "1")])

        let records = try store.importImage(from: layout.path, name: "127.0.0.1:5000/test/app")
        XCTAssertEqual(records.count, 1)
        let record = try XCTUnwrap(records.first)
        XCTAssertEqual(record.references, ["127.0.0.1:5000/test/app:1"], "a name without tag takes the layout's tag")
        XCTAssertEqual(record.manifestDigest, manifest.digest.description)
        XCTAssertEqual(record.repoDigests, ["127.0.0.1:5000/test/app@" + manifest.digest.description])
        XCTAssertEqual(record.config, ImageConfig(
            entrypoint: ["/bin/app"], cmd: ["--serve"], env: ["PATH=/bin", "MODE=image"], workingDir: "/srv", user: "app"))
        let layers = try XCTUnwrap(record.layers)
        XCTAssertEqual(layers.count, 2)
        XCTAssertEqual(record.lowerDirectories, layers.reversed(), "overlay lowerdir lists the top layer first")
        XCTAssertNotNil(record.locate("/etc/passwd"))
        XCTAssertNil(record.locate("/bin/removed"), "whited out by the upper layer")
        XCTAssertNil(record.locate("/dir/a"), "hidden by the opaque directory")
        XCTAssertEqual(record.locate("/dir/c"), layers[1] + "/dir/c")
        XCTAssertEqual(try store.resolve("127.0.0.1:5000/test/app:1")?.id, record.id)
        XCTAssertEqual(try store.resolve(record.id)?.id, record.id)
        XCTAssertEqual(stateEntries("blobs/sha256").count, 4, "manifest, config, two layers")
        XCTAssertEqual(stateEntries("tmp"), [])

        // The same image again: nothing new unpacked or stored.
        let again = try store.importImage(from: layout.path, name: "other/name:v2")
        XCTAssertEqual(again.first?.id, record.id)
        XCTAssertEqual(try store.resolve("other/name:v2")?.references.count, 2)
        XCTAssertEqual(stateEntries("snapshots").count, 2)

        try store.remove("127.0.0.1:5000/test/app:1")
        XCTAssertEqual(stateEntries("snapshots").count, 2, "still referenced by other/name:v2")
        try store.remove("other/name:v2")
        XCTAssertEqual(try store.list(), [])
        XCTAssertEqual(stateEntries("snapshots"), [], "unreferenced snapshots collected")
        XCTAssertEqual(stateEntries("blobs/sha256"), [], "unreferenced blobs collected")
    }

    func testIndexPicksTheHostPlatform() throws {
        let layout = try LayoutBuilder(work.path + "/layout")
        let other = OCIPlatform(architecture: OCIPlatform.host.architecture == "s390x" ? "ppc64le" : "s390x", os: "linux")
        let foreign = try layout.image(layers: [lower], execution: ["Cmd": ["foreign"]], platform: other)
        let native = try layout.image(layers: [lower, upper], execution: ["Cmd": ["native"]])
        let index = try layout.json([
            "schemaVersion": 2, "mediaType": OCIMediaType.index,
            "manifests": [LayoutBuilder.encode(foreign), LayoutBuilder.encode(native)],
        ], OCIMediaType.index)
        try layout.writeIndex([(index, "multi")])
        let record = try XCTUnwrap(try store.importImage(from: layout.path, name: "test/multi").first)
        XCTAssertEqual(record.references, ["docker.io/test/multi:multi"])
        XCTAssertEqual(record.config.cmd, ["native"])
        XCTAssertEqual(record.manifestDigest, native.digest.description)
        XCTAssertTrue(record.blobs?.contains(index.digest.description) ?? false, "the index is kept with the image")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.path + "/state/images/blobs/sha256/" + foreign.digest.hex))

        // An index without the host's platform is refused, naming what it has.
        let onlyForeign = try layout.json([
            "schemaVersion": 2, "mediaType": OCIMediaType.index, "manifests": [LayoutBuilder.encode(foreign)],
        ], OCIMediaType.index)
        try layout.writeIndex([(onlyForeign, "foreign")])
        XCTAssertThrowsError(try store.importImage(from: layout.path, name: "test/foreign")) { error in
            XCTAssertEqual(error as? ImageError, .noMatchingPlatform(
                "docker.io/test/foreign:foreign", platform: OCIPlatform.host.description, available: [other.description]))
        }
    }

    func testTamperedBlobIsRejectedAndNothingIsStored() throws {
        let layout = try LayoutBuilder(work.path + "/layout")
        let manifest = try layout.image(layers: [lower, upper], execution: execution)
        try layout.writeIndex([(manifest, "1")])
        let manifestObject = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: layout.path + "/blobs/sha256/" + manifest.digest.hex))) as? [String: Any]
        let layerDigest = try XCTUnwrap(((manifestObject?["layers"] as? [[String: Any]])?.last?["digest"] as? String))
        let layerFile = layout.path + "/blobs/sha256/" + layerDigest.dropFirst(7)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layerFile)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: layerFile))

        XCTAssertThrowsError(try store.importImage(from: layout.path, name: "test/tampered")) { error in
            guard case .digestMismatch(let digest, let reason) = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(digest, layerDigest)
            XCTAssertTrue(reason.hasPrefix("content has digest sha256:"), reason)
            XCTAssertTrue("\(error)".contains("failed verification"), "\(error)")
        }
        XCTAssertEqual(try store.list(), [])
        XCTAssertFalse(stateEntries("blobs/sha256").contains(String(layerDigest.dropFirst(7))), "the bad blob never lands")
        XCTAssertEqual(stateEntries("tmp"), [], "no half-written file left")
        XCTAssertEqual(stateEntries("snapshots"), [])
    }

    func testOCIArchiveAndDockerArchive() throws {
        // OCI archive: the layout, tarred.
        let layout = try LayoutBuilder(work.path + "/layout")
        let manifest = try layout.image(layers: [lower], execution: execution)
        try layout.writeIndex([(manifest, "docker.io/library/app:oci")])
        try TarBuilder.write(work.path + "/image.oci.tar", try Self.members(of: layout.path))
        XCTAssertEqual(try ImageSourceKind.detect(work.path + "/image.oci.tar"), .ociArchive)
        let oci = try XCTUnwrap(try store.importImage(from: work.path + "/image.oci.tar", name: nil).first)
        XCTAssertEqual(oci.references, ["docker.io/library/app:oci"])

        // docker save: manifest.json + config + uncompressed layer tars.
        let docker = work.path + "/docker"
        try FileManager.default.createDirectory(atPath: docker + "/layer1", withIntermediateDirectories: true)
        try TarBuilder.write(docker + "/layer1/layer.tar", [.file("etc/passwd", "root:x:0:0::/:/bin/sh\n"), .file("hello", "hi")])
        try Data(#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/hello"],"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: docker + "/config.json"))
        try Data(#"[{"Config":"config.json","RepoTags":["app:docker"],"Layers":["layer1/layer.tar"]}]"#.utf8)
            .write(to: URL(fileURLWithPath: docker + "/manifest.json"))
        try TarBuilder.write(work.path + "/image.docker.tar", try Self.members(of: docker))
        XCTAssertEqual(try ImageSourceKind.detect(work.path + "/image.docker.tar"), .dockerArchive)
        let saved = try XCTUnwrap(try store.importImage(from: work.path + "/image.docker.tar", name: nil).first)
        XCTAssertEqual(saved.references, ["docker.io/library/app:docker"])
        XCTAssertEqual(saved.config.cmd, ["/hello"])
        XCTAssertEqual(try String(contentsOfFile: try XCTUnwrap(saved.locate("/hello")), encoding: .utf8), "hi")

        // A docker archive whose manifest.json points outside through a symlink is refused.
        try FileManager.default.createSymbolicLink(atPath: docker + "/evil.tar", withDestinationPath: "/etc/hostname")
        try Data(#"[{"Config":"config.json","RepoTags":["app:evil"],"Layers":["evil.tar"]}]"#.utf8)
            .write(to: URL(fileURLWithPath: docker + "/manifest.json"))
        try TarBuilder.write(work.path + "/evil.docker.tar", try Self.members(of: docker))
        XCTAssertThrowsError(try store.importImage(from: work.path + "/evil.docker.tar", name: nil)) { error in
            XCTAssertTrue("\(error)".contains("evil.tar"), "\(error)")
        }
        XCTAssertNil(try store.resolve("app:evil"))
    }

    func testLayoutEntryNamesTable() throws {
        let digest = try OCIDigest(parsing: "sha256:" + String(repeating: "a", count: 64))
        func entry(_ name: String?) -> OCIDescriptor {
            OCIDescriptor(mediaType: OCIMediaType.manifest, digest: digest, size: 1,
                          annotations: name.map { [OCIDescriptor.refNameAnnotation: $0] })
        }
        let cases: [([String?], String?, [String]?)] = [
            (["1"], "repo/app", ["repo/app:1"]),
            (["1"], "repo/app:2", ["repo/app:2"]),
            ([nil], "repo/app", ["repo/app"]),
            (["example.com/app:3"], nil, ["example.com/app:3"]),
            (["1"], nil, nil),
            (["1", "2"], "repo/app:2", ["repo/app:2"]),
            (["1", "2"], "repo/app", nil),
        ]
        for (names, name, expected) in cases {
            let result = try? LocalImageStore.chooseLayoutEntries(names.map(entry), name: name, layout: "L").map(\.1)
            XCTAssertEqual(result, expected, "\(names) \(name ?? "nil")")
        }
    }

    /// Every file, directory and symlink under `directory` as tar members (relative names).
    static func members(of directory: String) throws -> [TarBuilder.Member] {
        var members: [TarBuilder.Member] = []
        for relative in try FileManager.default.subpathsOfDirectory(atPath: directory).sorted() {
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: members.append(.directory(relative + "/"))
            case S_IFLNK: members.append(.symlink(relative, target: try FileManager.default.destinationOfSymbolicLink(atPath: path)))
            default:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                members.append(.bytes(relative, [UInt8](data)))
            }
        }
        return members
    }
}
