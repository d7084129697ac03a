import SwiftletManifests
import XCTest

final class ManifestFileNameTests: XCTestCase {
    func testIgnoredNames() {
        let cases: [(String, Bool)] = [
            ("pod.yaml", false), ("pod.yml", false), ("pod.json", false), ("a.b.yaml", false),
            (".pod.yaml", true), (".#pod.yaml", true), ("pod.yaml~", true), ("#pod.yaml#", true),
            ("pod.yaml.swp", true), (".pod.yaml.swp", true), ("pod.yaml.swx", true), ("pod.yaml.bak", true),
            ("pod.yaml.orig", true), ("pod.yaml.tmp", true), ("pod.yaml.dpkg-new", true), ("pod.yaml.dpkg-old", true),
            ("pod.yaml.rpmnew", true), ("pod.yaml.rpmsave", true), ("pod.txt", true), ("README", true),
            ("pod.yaml-bak", true), ("", true), (".yaml", true), ("pod.YAML", true),
        ]
        for (name, ignored) in cases {
            XCTAssertEqual(isIgnoredManifestFileName(name), ignored, name)
        }
    }
}
