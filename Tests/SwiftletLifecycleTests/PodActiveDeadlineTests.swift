import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class PodActiveDeadlineTests: XCTestCase {
    func testVerdicts() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var bounded = makePod()
        bounded.spec.activeDeadlineSeconds = 30
        var always = makePod()
        always.spec.restartPolicy = .always
        always.spec.activeDeadlineSeconds = 30
        let cases: [(String, Pod, Date?, TimeInterval, PodActiveDeadline.Verdict)] = [
            ("no deadline", makePod(), start, 3600, .none),
            ("no start time yet", bounded, nil, 3600, .none),
            ("just started", bounded, start, 0, .remaining(30)),
            ("before", bounded, start, 29.5, .remaining(0.5)),
            ("exactly at", bounded, start, 30, .exceeded),
            ("after", bounded, start, 31, .exceeded),
            ("restartPolicy does not matter", always, start, 45, .exceeded),
            ("start time in the future (clock stepped back)", bounded, start, -10, .remaining(40)),
        ]
        for (name, pod, startTime, elapsed, expected) in cases {
            let verdict = PodActiveDeadline.verdict(pod: pod, startTime: startTime, now: start.addingTimeInterval(elapsed))
            XCTAssertEqual(verdict, expected, name)
        }
    }

    func testWaitIsClamped() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var pod = makePod()
        pod.spec.activeDeadlineSeconds = 30
        XCTAssertEqual(PodActiveDeadline.wait(pod: pod, startTime: now, now: now), 30)
        XCTAssertEqual(PodActiveDeadline.wait(pod: pod, startTime: now.addingTimeInterval(-60), now: now), 0)
        XCTAssertEqual(
            PodActiveDeadline.wait(pod: pod, startTime: Date(timeIntervalSince1970: 1e300), now: now), PodActiveDeadline.longestWait)
        XCTAssertNil(PodActiveDeadline.wait(pod: makePod(), startTime: now, now: now), "no deadline, no wait")
    }

    func testStartTimeRecordRoundTripsAndRejectsDamagedState() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertEqual(PodStartTimeRecord.startTime("999990.5\n", now: now), Date(timeIntervalSince1970: 999_990.5))
        XCTAssertEqual(PodStartTimeRecord.startTime("1000030", now: now), Date(timeIntervalSince1970: 1_000_030))
        let start = Date(timeIntervalSince1970: 999_123.25)
        XCTAssertEqual(PodStartTimeRecord.startTime(PodStartTimeRecord.text(start), now: now), start)
        for damaged in ["", "abc", "nan", "inf", "-5", "0", "1e300", "1000061", "12 34"] {
            XCTAssertNil(PodStartTimeRecord.startTime(damaged, now: now), damaged)
        }
    }

    func testKubeletTexts() {
        XCTAssertEqual(PodActiveDeadline.reason, "DeadlineExceeded")
        XCTAssertEqual(PodActiveDeadline.message, "Pod was active on the node longer than the specified deadline")
    }
}
