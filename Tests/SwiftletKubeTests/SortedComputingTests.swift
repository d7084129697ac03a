import SwiftletKube
import XCTest

final class SortedComputingTests: XCTestCase {
    func testSortsByTheComputedKeyAndKeepsTheOrderOfEqualKeys() {
        let cases: [(input: [String], expected: [String])] = [
            ([], []),
            (["b/x"], ["b/x"]),
            (["b/x", "a/y", "a-b/z", "a/x"], ["a-b/z", "a/x", "a/y", "b/x"]),
            // Equal keys (the part before "#") stay in input order.
            (["k#2", "a#1", "k#1", "k#3"], ["a#1", "k#2", "k#1", "k#3"]),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(input.sorted(computing: { $0.split(separator: "#").first.map(String.init) ?? "" }), expected, "\(input)")
        }
    }

    func testPodsSortByKeyLikeTheStandardSort() {
        let names = ["web", "db", "api", "cache", "web-2", "a"]
        let pods = names.enumerated().map { i, name in
            Pod(metadata: ObjectMeta(name: name, namespace: i % 2 == 0 ? "prod" : "kube-system"), spec: PodSpec(containers: []))
        }
        XCTAssertEqual(pods.sorted(computing: \.key).map(\.key), pods.map(\.key).sorted())
    }
}
