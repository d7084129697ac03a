import Foundation
import SwiftletKube
import XCTest

final class KubeTimeTests: XCTestCase {
    func testParseFormatRoundTrip() {
        let cases = ["1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2000-03-01T12:00:00Z", "2038-01-19T03:14:08Z"]
        for text in cases {
            guard let date = KubeTime.parse(text) else { return XCTFail("unparsed \(text)") }
            XCTAssertEqual(KubeTime.format(date), text)
        }
    }

    func testParseOffsetsAndFractions() {
        XCTAssertEqual(KubeTime.parse("2024-01-01T01:00:00+01:00"), KubeTime.parse("2024-01-01T00:00:00Z"))
        XCTAssertEqual(KubeTime.parse("2024-01-01T00:00:00.5Z")?.timeIntervalSince1970 ?? 0, 1_704_067_200.5, accuracy: 1e-6)
        for bad in ["", "2024-01-01", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00Zjunk"] {
            XCTAssertNil(KubeTime.parse(bad), bad)
        }
    }

    func testCodableRoundTrip() throws {
        let t = KubeTime(Date(timeIntervalSince1970: 1_700_000_000))
        let data = try JSONEncoder().encode([t])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["2023-11-14T22:13:20Z"]"#)
        XCTAssertEqual(try JSONDecoder().decode([KubeTime].self, from: data), [t])
        XCTAssertThrowsError(try JSONDecoder().decode([KubeTime].self, from: Data(#"["yesterday"]"#.utf8)))
    }

    func testRFC3339NanoTrimsTrailingZeros() {
        XCTAssertEqual(KubeTime.formatRFC3339Nano(Date(timeIntervalSince1970: 1_700_000_000)), "2023-11-14T22:13:20Z")
        XCTAssertEqual(KubeTime.formatRFC3339Nano(Date(timeIntervalSince1970: 1_700_000_000.5)), "2023-11-14T22:13:20.5Z")
    }
}
