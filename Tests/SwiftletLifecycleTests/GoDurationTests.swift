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
}
