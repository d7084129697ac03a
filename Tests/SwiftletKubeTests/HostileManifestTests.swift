import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// Hostile manifests are refused with a clear error, in bounded time and memory.
final class HostileManifestTests: XCTestCase {
    func errors(_ text: String) throws -> [String] {
        try ManifestDecoder.decode(Data(text.utf8), fileName: "hostile.yaml").compactMap { document in
            if case .failure(let error) = document.result { return error.description }
            return nil
        }
    }

    func testBillionLaughsIsRefused() throws {
        var text = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let found = try errors(text)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertTrue(found.first?.contains("more than 1000000 values") ?? false, "\(found)")
    }

    func testDeepNestingIsRefused() throws {
        let depth = 5000
        let yaml = "x: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let found = try errors(yaml)
        XCTAssertTrue(found.first?.lowercased().contains("nest") ?? false, "\(found)")
        XCTAssertLessThan(found.first?.count ?? 0, 1000, "the error does not echo the whole document")
        let json = "{\"kind\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        XCTAssertFalse(try errors(json).isEmpty, "deep JSON is refused by the decoder's depth limit")
    }

    func testInvalidUTF8AndOversizedFilesAreRefused() {
        XCTAssertThrowsError(try ManifestDecoder.decode(Data([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0xff, 0xfe]), fileName: "bad.yaml"))
        XCTAssertThrowsError(try ManifestDecoder.decode(Data(count: ManifestDecoder.maxManifestBytes + 1), fileName: "big.yaml"))
    }

    func testManyContainersAreValidatedAsOneReport() throws {
        let containers = (0..<10_000).map { "  - {name: c\($0), image: \"\"}" }.joined(separator: "\n")
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: many}\nspec:\n  containers:\n" + containers + "\n"
        let found = try errors(text)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.contains("spec.containers[9999].image: Required value") ?? false)
    }
}
