import SwiftletClient
import XCTest

final class HumanDurationTests: XCTestCase {
    func testMatchesKubectlHumanDuration() {
        let hour = 3600.0, day = 86_400.0
        let cases: [(TimeInterval, String)] = [
            (-3, "<invalid>"), (-1.5, "0s"), (0, "0s"), (5, "5s"), (59.9, "59s"), (119, "119s"), (120, "2m"),
            (190, "3m10s"), (599, "9m59s"), (600, "10m"), (3 * hour - 1, "179m"), (3 * hour, "3h"),
            (3 * hour + 300, "3h5m"), (8 * hour, "8h"), (47 * hour, "47h"), (2 * day + 3 * hour, "2d3h"),
            (7 * day, "7d"), (8 * day, "8d"), (400 * day, "400d"), (730 * day, "2y"), (731 * day, "2y1d"),
            (8 * 365 * day, "8y"),
        ]
        for (interval, expected) in cases {
            XCTAssertEqual(HumanDuration.format(interval), expected, "for \(interval) s")
        }
    }

    func testMissingTimeIsUnknown() {
        XCTAssertEqual(HumanDuration.since(nil, now: Date()), "<unknown>")
    }
}
