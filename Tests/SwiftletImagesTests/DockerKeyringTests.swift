import Foundation
@testable import SwiftletImages
import XCTest

final class DockerKeyringTests: XCTestCase {
    private func secret(_ name: String, _ type: String, _ key: String, _ json: String) -> DockerKeyring.PullSecret {
        DockerKeyring.PullSecret(name: name, type: type, data: [key: Array(json.utf8)])
    }

    private func auth(_ user: String, _ password: String) -> String {
        Data("\(user):\(password)".utf8).base64EncodedString()
    }

    func testPullSecretsInOrderThenTheNodeConfig() throws {
        let directory = NSTemporaryDirectory() + "keyring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = directory + "/config.json"
        try #"{"auths": {"reg.example:5000": {"auth": "\#(auth("node", "n"))"}}}"#.write(toFile: node, atomically: true, encoding: .utf8)

        let secrets = [
            secret("first", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                   #"{"auths": {"https://reg.example:5000/v2/": {"username": "a", "password": "1"}, "other.example": {"auth": "\#(auth("x", "y"))"}}}"#),
            // Opaque: not a pull secret, even with the right key.
            secret("opaque", "Opaque", ".dockerconfigjson", #"{"auths": {"reg.example:5000": {"auth": "\#(auth("o", "o"))"}}}"#),
            // The legacy .dockercfg form: entries at the top level.
            secret("legacy", "kubernetes.io/dockercfg", ".dockercfg", #"{"reg.example:5000": {"auth": "\#(auth("b", "2"))"}}"#),
            // Same credential as the node's: tried once.
            secret("dup", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", #"{"auths": {"reg.example:5000": {"auth": "\#(auth("node", "n"))"}}}"#),
            // The wrong key for its type: ignored, as by the kubelet.
            secret("wrong-key", "kubernetes.io/dockercfg", ".dockerconfigjson", #"{"auths": {}}"#),
        ]
        let keyring = try DockerKeyring(pullSecrets: secrets)
        XCTAssertEqual(keyring.configs.count, 3)
        let cases: [(String, [String])] = [
            ("reg.example:5000", ["a", "b", "node"]),
            ("other.example", ["x"]),
            ("reg.example", []),  // the port is part of the match
            ("docker.io", []),
        ]
        for (host, users) in cases {
            XCTAssertEqual(keyring.credentials(for: host, nodeFiles: [node]).map(\.username), users, host)
        }
        XCTAssertEqual(try DockerKeyring(pullSecrets: []).credentials(for: "reg.example:5000", nodeFiles: [node]).map(\.username), ["node"])
    }

    func testUnparsableSecretNamesIt() {
        XCTAssertThrowsError(try DockerKeyring(pullSecrets: [secret("bad", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{not json")])) {
            XCTAssertTrue("\($0)".hasPrefix("secret \"bad\": "), "\($0)")
        }
        // Empty data is skipped, not an error.
        XCTAssertEqual(try DockerKeyring(pullSecrets: [secret("empty", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "")]).configs, [])
    }
}
