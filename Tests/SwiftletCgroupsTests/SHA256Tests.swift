@testable import SwiftletImages
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(SHA256.hexDigest(input), expected, "\(input.prefix(10))… (\(input.count) bytes)")
        }
    }

    func testChunkedUpdatesMatchOneShot() {
        let text = String(repeating: "swiftlet", count: 100)
        let hasher = SHA256()
        for chunk in stride(from: 0, to: text.utf8.count, by: 37) {
            let bytes = Array(text.utf8)
            hasher.update(bytes[chunk..<min(chunk + 37, bytes.count)])
        }
        XCTAssertEqual(SHA256.hex(hasher.finalize()), SHA256.hexDigest(text))
    }
}
