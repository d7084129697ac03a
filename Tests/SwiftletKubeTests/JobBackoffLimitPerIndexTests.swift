import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// `backoffLimitPerIndex` / `maxFailedIndexes`: defaulting and the API server's validation texts.
final class JobBackoffLimitPerIndexTests: XCTestCase {
    func decode(_ spec: String) throws -> (job: Job?, errors: [String]) {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n" + spec + """

              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: busybox}]
            """
        let docs = try ManifestDecoder.decode(Data(text.utf8), fileName: "job.yaml")
        switch docs.first?.result {
        case .success(.object(let object)): return (object.value as? Job, [])
        case .failure(let e): return (nil, e.fieldErrors.map(\.description) + (e.fieldErrors.isEmpty ? ["\(e)"] : []))
        default: return (nil, ["nothing decoded"])
        }
    }

    func testBackoffLimitDefaultsToMaxInt32WithAPerIndexLimit() throws {
        let job = try XCTUnwrap(decode("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1").job)
        XCTAssertEqual(job.spec.backoffLimit, Int32.max)
        XCTAssertEqual(job.backoffLimit, Int32.max)
        XCTAssertTrue(job.hasBackoffLimitPerIndex)
        let explicit = try XCTUnwrap(decode("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  backoffLimit: 4").job)
        XCTAssertEqual(explicit.spec.backoffLimit, 4)
        let plain = try XCTUnwrap(decode("  completionMode: Indexed\n  completions: 3").job)
        XCTAssertEqual(plain.spec.backoffLimit, 6)
        XCTAssertFalse(plain.hasBackoffLimitPerIndex)
    }

    func testValidationMessages() throws {
        let indexed = "  completionMode: Indexed\n  completions: 3\n"
        let failIndex = "  podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [42]}}]}\n"
        let cases: [(String, String, [String])] = [
            ("valid", indexed + "  backoffLimitPerIndex: 1\n  maxFailedIndexes: 3", []),
            ("valid FailIndex", indexed + "  backoffLimitPerIndex: 0\n" + failIndex, []),
            ("negative", indexed + "  backoffLimitPerIndex: -1\n  maxFailedIndexes: -2",
             [
                "spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0",
                "spec.maxFailedIndexes: Invalid value: -2: must be greater than or equal to 0",
             ]),
            ("maxFailedIndexes alone", indexed + "  maxFailedIndexes: 1",
             ["spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"]),
            ("more than completions", indexed + "  backoffLimitPerIndex: 1\n  maxFailedIndexes: 4",
             ["spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions"]),
            ("NonIndexed", "  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1",
             [
                "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
                "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode",
             ]),
            ("FailIndex without a per-index limit", indexed + failIndex,
             [#"spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set"#]),
        ]
        for (name, spec, expected) in cases {
            XCTAssertEqual(try decode(spec).errors, expected, name)
        }
    }

    func testBackoffLimitPerIndexIsImmutableAndMaxFailedIndexesIsNot() throws {
        let old = try XCTUnwrap(decode("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1").job)
        var new = old
        new.spec.maxFailedIndexes = 2
        XCTAssertEqual(new.validateUpdate(from: old), [])
        new.spec.backoffLimitPerIndex = 2
        XCTAssertEqual(new.validateUpdate(from: old).map(\.description), ["spec.backoffLimitPerIndex: Invalid value: 2: field is immutable"])
    }
}
