import XCTest

@testable import SwiftletKube

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

    func testNanosecondsAndGosErrorMessages() {
        let valid: [(String, Int64)] = [
            ("0", 0), ("-0", 0), ("+5s", 5_000_000_000), ("1h30m", 5_400_000_000_000), (".5s", 500_000_000), ("1.s", 1_000_000_000),
            ("1.5µs", 1_500), ("2\u{03BC}s", 2_000), ("1us", 1_000), ("2562047h47m16.854775807s", Int64.max),
            ("-2562047h47m16.854775808s", Int64.min), ("0.000000001s", 1), ("1.0000000001s", 1_000_000_000),
            ("3m0.5s", 180_500_000_000),
        ]
        for (text, nanos) in valid {
            XCTAssertEqual(try GoDuration.nanoseconds(text), nanos, text)
        }
        let invalid: [(String, String)] = [
            ("", #"time: invalid duration """#),
            ("-", #"time: invalid duration "-""#),
            ("5", #"time: missing unit in duration "5""#),
            ("5x", #"time: unknown unit "x" in duration "5x""#),
            ("1d", #"time: unknown unit "d" in duration "1d""#),
            ("1h ", #"time: unknown unit "h " in duration "1h ""#),
            (" 1h", #"time: invalid duration " 1h""#),
            ("s", #"time: invalid duration "s""#),
            (".s", #"time: invalid duration ".s""#),
            ("1..5s", #"time: missing unit in duration "1..5s""#),
            ("3000000h", #"time: invalid duration "3000000h""#),
            ("9223372036854775808ns", #"time: invalid duration "9223372036854775808ns""#),
            ("99999999999999999999ns", #"time: invalid duration "99999999999999999999ns""#),
            ("5\"s", #"time: unknown unit "\"s" in duration "5\"s""#),
            ("3é", #"time: unknown unit "\xc3\xa9" in duration "3\xc3\xa9""#),
        ]
        for (text, message) in invalid {
            XCTAssertThrowsError(try GoDuration.nanoseconds(text), text) { error in
                XCTAssertEqual("\(error)", message, text)
            }
        }
    }
}
