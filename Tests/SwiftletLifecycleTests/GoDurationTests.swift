import XCTest

@testable import SwiftletLifecycle

final class GoDurationTests: XCTestCase {
    func testMatchesGoDurationString() {
        let cases: [(TimeInterval, String)] = [
            (0, "0s"), (10, "10s"), (40, "40s"), (80, "1m20s"), (160, "2m40s"), (300, "5m0s"),
            (3600, "1h0m0s"), (3725.5, "1h2m5.5s"), (1.5, "1.5s"), (0.1, "100ms"), (0.8, "800ms"),
            (0.0015, "1.5ms"), (0.000002, "2µs"), (-10, "-10s"),
        ]
        for (seconds, expected) in cases {
            XCTAssertEqual(GoDuration.format(seconds), expected, "\(seconds)")
        }
    }

    func testParsesGoDurations() {
        let cases: [(String, Double?)] = [
            ("5s", 5), ("2m", 120), ("3h", 10800), ("1h30m", 5400), ("1.5s", 1.5), ("300ms", 0.3), ("-2m", -120),
            ("0", 0), ("2h45m10s", 9910), ("10us", 0.00001), ("", nil), ("5", nil), ("5x", nil), ("s", nil),
            ("1..5s", nil), ("1d", nil),
        ]
        for (text, expected) in cases {
            let parsed = GoDuration.parse(text)
            if let expected, let parsed {
                XCTAssertEqual(parsed, expected, accuracy: 1e-9, text)
            } else {
                XCTAssertEqual(parsed == nil, expected == nil, text)
            }
        }
    }
}
