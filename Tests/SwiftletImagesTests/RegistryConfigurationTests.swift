import Foundation
@testable import SwiftletImages
import XCTest

final class RegistryConfigurationTests: XCTestCase {
    func testAuthChallengeTable() {
        let cases: [(String, AuthChallenge?)] = [
            (#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#,
             AuthChallenge(scheme: "bearer", parameters: [
                "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                "scope": "repository:library/busybox:pull",
             ])),
            (#"Basic realm="swiftlet-test""#, AuthChallenge(scheme: "basic", parameters: ["realm": "swiftlet-test"])),
            (#"Bearer realm="https://x/token", service=x"#, AuthChallenge(scheme: "bearer", parameters: ["realm": "https://x/token", "service": "x"])),
            (#"Basic realm="a \"quoted\" realm""#, AuthChallenge(scheme: "basic", parameters: ["realm": #"a "quoted" realm"#])),
            ("Negotiate", AuthChallenge(scheme: "negotiate", parameters: [:])),
            ("", nil),
        ]
        for (header, expected) in cases {
            XCTAssertEqual(AuthChallenge(header), expected, header)
        }
    }

    func testEndpointsAndPlainHTTP() throws {
        var configuration = RegistryConfiguration(insecureRegistries: ["registry.lan:5000"])
        configuration.mirrors = try RegistryConfiguration.parseMirrors(["docker.io=https://mirror.example/", "index.docker.io=http://127.0.0.1:5001"])
        let cases: [(String, [String])] = [
            ("docker.io", ["https://mirror.example", "http://127.0.0.1:5001", "https://registry-1.docker.io"]),
            ("127.0.0.1:5000", ["http://127.0.0.1:5000"]),
            ("localhost:5000", ["http://localhost:5000"]),
            ("[::1]:5000", ["http://[::1]:5000"]),
            ("registry.lan:5000", ["http://registry.lan:5000"]),
            ("registry.lan", ["https://registry.lan"]),
            ("ghcr.io", ["https://ghcr.io"]),
            ("127.evil.example", ["https://127.evil.example"]),
        ]
        for (host, expected) in cases {
            XCTAssertEqual(configuration.endpoints(for: host), expected, host)
        }
        XCTAssertThrowsError(try RegistryConfiguration.parseMirrors(["docker.io"]))
        XCTAssertThrowsError(try RegistryConfiguration.parseMirrors(["docker.io=ftp://x"]))
    }

    func testDockerConfigCredentials() throws {
        let json = """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "\(Data("hubuser:hub:pass".utf8).base64EncodedString())"},
              "127.0.0.1:5000": {"username": "alice", "password": "pw"},
              "https://registry.example/v2/": {"auth": "\(Data("bob:secret".utf8).base64EncodedString())"},
              "broken.example": {"auth": "not base64!"}
            }}
            """
        let config = try DockerConfigFile(json: Data(json.utf8))
        XCTAssertEqual(config.credential(for: "docker.io"), RegistryCredential(username: "hubuser", password: "hub:pass"))
        XCTAssertEqual(config.credential(for: "127.0.0.1:5000"), RegistryCredential(username: "alice", password: "pw"))
        XCTAssertEqual(config.credential(for: "registry.example"), RegistryCredential(username: "bob", password: "secret"))
        XCTAssertNil(config.credential(for: "broken.example"))
        XCTAssertNil(config.credential(for: "127.0.0.1:5001"))
        // .dockercfg (auths at the top level) is read too.
        let legacy = try DockerConfigFile(json: Data(#"{"r.example": {"username": "u", "password": "p"}}"#.utf8))
        XCTAssertEqual(legacy.credential(for: "r.example"), RegistryCredential(username: "u", password: "p"))
        XCTAssertThrowsError(try DockerConfigFile(json: Data("[]".utf8)))
    }

    func testPlatformMatchingTable() {
        let amd64 = OCIPlatform(architecture: "amd64", os: "linux")
        let arm64 = OCIPlatform(architecture: "arm64", os: "linux", variant: "v8")
        let armv7 = OCIPlatform(architecture: "arm", os: "linux", variant: "v7")
        let cases: [(OCIPlatform, OCIPlatform, Int?)] = [
            (amd64, amd64, 2),
            (amd64, OCIPlatform(architecture: "amd64", os: "windows"), nil),
            (amd64, arm64, nil),
            (arm64, OCIPlatform(architecture: "arm64", os: "linux"), 2),
            (arm64, OCIPlatform(architecture: "arm64", os: "linux", variant: "v8"), 2),
            (armv7, OCIPlatform(architecture: "arm", os: "linux", variant: "v7"), 2),
            (armv7, OCIPlatform(architecture: "arm", os: "linux"), 1),
            (armv7, OCIPlatform(architecture: "arm", os: "linux", variant: "v6"), 0),
            (OCIPlatform(architecture: "arm", os: "linux", variant: "v6"), armv7, nil),
        ]
        for (host, candidate, expected) in cases {
            XCTAssertEqual(host.score(candidate), expected, "\(host) running \(candidate)")
        }
        XCTAssertEqual(OCIPlatform.fromMachine("x86_64"), amd64)
        XCTAssertEqual(OCIPlatform.fromMachine("aarch64"), arm64)
    }
}

final class ImageGCPolicyTests: XCTestCase {
    func testBytesToFreeTable() {
        let policy = ImageGCPolicy()
        let cases: [(capacity: Int64, available: Int64, expected: Int64)] = [
            (1000, 500, 0),      // 50 % used
            (1000, 160, 0),      // 84 % used: below the high mark
            (1000, 150, 50),     // 85 %: down to 80 % = 200 available
            (1000, 0, 200),
            (0, 0, 0),
        ]
        for c in cases {
            XCTAssertEqual(policy.bytesToFree(capacity: c.capacity, available: c.available), c.expected, "\(c)")
        }
    }

    func testVictimsAreUnusedOldestFirstUntilEnough() {
        func image(_ id: String, _ age: Double, _ size: Int64) -> ImageRecord {
            ImageRecord(id: id, references: [id], rootfs: "", config: ImageConfig(),
                        created: Date(timeIntervalSince1970: age), size: size)
        }
        let images = [image("new", 300, 10), image("old", 100, 10), image("used-oldest", 50, 100), image("mid", 200, 10)]
        let policy = ImageGCPolicy(minimumAge: 50)
        let now = Date(timeIntervalSince1970: 400)
        XCTAssertEqual(policy.victims(images, inUse: ["used-oldest"], amount: 15, now: now).map(\.id), ["old", "mid"])
        XCTAssertEqual(policy.victims(images, inUse: ["used-oldest"], amount: 1000, now: now).map(\.id), ["old", "mid", "new"])
        XCTAssertEqual(policy.victims(images, inUse: [], amount: 0, now: now).map(\.id), [])
        // Younger than the minimum age: kept whatever the pressure.
        let early = Date(timeIntervalSince1970: 320)
        XCTAssertEqual(policy.victims(images, inUse: ["used-oldest"], amount: 1000, now: early).map(\.id), ["old", "mid"])
    }
}
