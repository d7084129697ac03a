import Foundation
import SwiftletFuzz
import SwiftletManifests
import XCTest

/// Replays the committed fuzz corpus and every crash libFuzzer found (Fuzz/regressions) through the same
/// targets scripts/fuzz fuzzes, so a fixed crash stays fixed in the regular test run. The targets trap on
/// an invariant violation, which fails (crashes) this test.
final class FuzzCorpusTests: XCTestCase {
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz").path

    private func inputs(_ target: String) -> [String] {
        FuzzReplay.inputs([Self.fuzzDirectory + "/corpus/" + target, Self.fuzzDirectory + "/regressions/" + target])
    }

    private func read(_ path: String) throws -> Data {
        try XCTUnwrap(FileManager.default.contents(atPath: path), path)
    }

    func testManifestCorpusReplays() throws {
        let files = inputs("manifests")
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for file in files { ManifestFuzzTarget.run(try read(file)) }
    }

    /// The seeds must reach the round-trip check: pods of every shape decode and validate.
    func testManifestSeedsHoldValidPodsOfEveryShape() throws {
        var validPods: [String: Int] = [:]
        var errors: [String: String] = [:]
        for file in inputs("manifests") {
            let name = (file as NSString).lastPathComponent
            let documents = try ManifestDecoder.decode(try read(file), fileName: file)
            validPods[name] = documents.filter {
                if case .success(.pod) = $0.result { return true } else { return false }
            }.count
            errors[name] = documents.compactMap {
                if case .failure(let error) = $0.result { return error.description } else { return nil }
            }.joined(separator: "; ")
        }
        for (name, count) in ["pod-full.yaml": 1, "pod.json": 1, "podlist.yaml": 2, "quantities.yaml": 1, "web.yaml": 1] {
            XCTAssertEqual(validPods[name], count, "\(name): \(errors[name] ?? "")")
        }
        XCTAssertEqual(validPods["multi-bad.yaml"], 2, "the good documents after the bad ones: \(errors["multi-bad.yaml"] ?? "")")
    }

    func testLayerCorpusReplaysWithoutEscaping() throws {
        let target = try LayerFuzzTarget()
        defer { target.remove() }
        var refusals: [String: String] = [:]
        var accepted: [String: Bool] = [:]
        for file in inputs("layers") {
            let name = (file as NSString).lastPathComponent
            let refusal = target.run(try read(file))
            accepted[name] = refusal == nil
            refusals[name] = refusal.map { "\($0)" }
        }
        XCTAssertGreaterThanOrEqual(accepted.count, 15)
        // A symlink replaced by a directory of the same name is safe: the directory is created in its place.
        for name in [
            "plain.tar", "plain.tar.gz", "absolute.tar", "whiteouts.tar", "devices.tar", "replace.tar", "symlink-then-dir.tar",
            "pax-xattrs.tar", "sizes.tar", "replace-dir-twice.tar",
        ] {
            XCTAssertEqual(accepted[name], true, "\(name): \(refusals[name] ?? "")")
        }
        for name in [
            "dotdot.tar", "symlink-escape.tar", "symlink-abs-escape.tar", "symlink-chain.tar", "whiteouts-malformed.tar",
            "hardlink-escape.tar", "gnu-longlink.tar", "hardlink-through-symlink.tar", "long-names.tar", "truncated.tar", "not-an-archive",
        ] {
            XCTAssertEqual(accepted[name], false, "\(name) must be refused")
        }
    }
}
