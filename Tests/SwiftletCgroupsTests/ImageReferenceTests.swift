import SwiftletImages
import XCTest

final class ImageReferenceTests: XCTestCase {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    func testNormalisation() throws {
        let cases: [(String, String)] = [
            ("busybox", "docker.io/library/busybox:latest"),
            ("busybox:1.36", "docker.io/library/busybox:1.36"),
            ("library/busybox", "docker.io/library/busybox:latest"),
            ("docker.io/busybox", "docker.io/library/busybox:latest"),
            ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1"),
            ("team/app", "docker.io/team/app:latest"),
            ("team/sub/app:v2", "docker.io/team/sub/app:v2"),
            ("registry.example:5000/team/app@\(Self.digest)", "registry.example:5000/team/app@\(Self.digest)"),
            ("registry.example:5000/team/app:v1@\(Self.digest)", "registry.example:5000/team/app:v1@\(Self.digest)"),
            ("busybox@\(Self.digest)", "docker.io/library/busybox@\(Self.digest)"),
            ("localhost/x", "localhost/x:latest"),
            ("localhost:5000/x:dev", "localhost:5000/x:dev"),
            ("quay.io/prometheus/node-exporter:v1.8.0", "quay.io/prometheus/node-exporter:v1.8.0"),
            ("a__b/c-d.e_f:T_1.x-y", "docker.io/a__b/c-d.e_f:T_1.x-y"),
            ("localhost:5000", "docker.io/library/localhost:5000"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try normalizeImageReference(input), expected, input)
        }
    }

    func testInvalidReferencesNameTheReference() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("Busybox", "lowercase"),
            ("team/App", "lowercase"),
            ("busybox:", "tag"),
            ("busybox:-x", "tag"),
            ("busybox:" + String(repeating: "t", count: 129), "tag"),
            ("busybox@sha256:abc", "digest"),
            ("busybox@sha256:" + String(repeating: "AB", count: 32), "digest"),
            ("busybox@", "digest"),
            (String(repeating: "a", count: 64), "64-byte"),
            ("bad_host.example/app", "registry host"),
            ("team//app", "component"),
            ("team/-app", "component"),
            ("/app", "repository name"),
            (":tag", "repository name"),
            ("app/", "component"),
            ("docker.io/" + String(repeating: "a/", count: 130) + "a", "255"),
        ]
        for (input, reasonFragment) in cases {
            XCTAssertThrowsError(try normalizeImageReference(input), input) { error in
                guard case .invalidReference(let reference, let reason)? = error as? ImageError else {
                    return XCTFail("\(input): \(error)")
                }
                XCTAssertEqual(reference, input)
                XCTAssertTrue(reason.contains(reasonFragment), "\(input): \(reason)")
                XCTAssertTrue("\(error)".contains("\"\(input)\""))
            }
        }
    }

    func testParsedParts() throws {
        let reference = try ImageReference(parsing: "registry.example:5000/team/app:v1")
        XCTAssertEqual(reference.domain, "registry.example:5000")
        XCTAssertEqual(reference.path, "team/app")
        XCTAssertEqual(reference.tag, "v1")
        XCTAssertNil(reference.digest)
        XCTAssertEqual(reference.name, "registry.example:5000/team/app")
    }
}
