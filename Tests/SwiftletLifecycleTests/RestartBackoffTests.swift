import Foundation
import XCTest

@testable import SwiftletLifecycle

final class RestartBackoffTests: XCTestCase {
    /// Simulates a container that crashes `runFor` seconds after every start and returns the
    /// wait before each restart, driving the back-off as the agent does.
    private func crashLoopDelays(initial: TimeInterval, maximum: TimeInterval, crashes: Int, runFor: TimeInterval = 1) -> [TimeInterval] {
        var backoff = RestartBackoff(initial: initial, maximum: maximum)
        let key = "c"
        var clock = t0
        var delays: [TimeInterval] = []
        for _ in 0..<crashes {
            clock = clock.addingTimeInterval(runFor)
            let finishedAt = clock
            let (inBackOff, remaining) = backoff.isInBackOff(key, since: finishedAt, now: clock)
            let wait = inBackOff ? remaining : 0
            delays.append(wait)
            clock = clock.addingTimeInterval(wait)
            XCTAssertFalse(backoff.isInBackOff(key, since: finishedAt, now: clock).inBackOff)
            backoff.next(key, eventTime: finishedAt, now: clock)
        }
        return delays
    }

    func testDefaultSequenceFirstCrashRestartsImmediately() {
        XCTAssertEqual(
            crashLoopDelays(initial: 10, maximum: 300, crashes: 9), [0, 10, 20, 40, 80, 160, 300, 300, 300])
    }

    func testConfigurableMilliseconds() {
        let delays = crashLoopDelays(initial: 0.1, maximum: 0.8, crashes: 7, runFor: 0.01)
        let expected: [TimeInterval] = [0, 0.1, 0.2, 0.4, 0.8, 0.8, 0.8]
        XCTAssertEqual(delays.count, expected.count)
        for (got, want) in zip(delays, expected) { XCTAssertEqual(got, want, accuracy: 1e-9) }
    }

    func testInitialAboveMaximumIsClamped() {
        XCTAssertEqual(crashLoopDelays(initial: 10, maximum: 4, crashes: 3), [0, 4, 4])
    }

    func testRemainingCountsFromTheExit() {
        var backoff = RestartBackoff()
        backoff.next("c", eventTime: at(0), now: at(0))
        backoff.next("c", eventTime: at(5), now: at(5))  // delay now 20 s
        let cases: [(now: TimeInterval, inBackOff: Bool, remaining: TimeInterval)] = [
            (100, true, 20), (107, true, 13), (119.5, true, 0.5), (120, false, 0), (200, false, 0),
        ]
        for c in cases {
            let result = backoff.isInBackOff("c", since: at(100), now: at(c.now))
            XCTAssertEqual(result.inBackOff, c.inBackOff, "now=\(c.now)")
            XCTAssertEqual(result.remaining, c.remaining, accuracy: 1e-9, "now=\(c.now)")
        }
        XCTAssertEqual(backoff.window(for: "c", since: at(100), now: at(107)), BackOffWindow(delay: 20, remaining: 13))
        XCTAssertEqual(backoff.delay("c"), 20)
        XCTAssertNil(backoff.window(for: "other", since: at(100), now: at(100)))
    }

    func testResetAfterTwiceTheMaximumOfCleanRunning() {
        var backoff = RestartBackoff(initial: 10, maximum: 300)
        for i in 0..<8 { backoff.next("c", eventTime: at(Double(i)), now: at(Double(i))) }
        XCTAssertEqual(backoff.delay("c"), 300)
        // Ran exactly 2×max since the last restart: still counts as crash-looping.
        XCTAssertTrue(backoff.isInBackOff("c", since: at(7 + 600), now: at(7 + 600)).inBackOff)
        // Ran longer: the exit is treated as the first crash again, then 10 s.
        XCTAssertFalse(backoff.isInBackOff("c", since: at(7 + 601), now: at(7 + 601)).inBackOff)
        backoff.next("c", eventTime: at(7 + 601), now: at(7 + 601))
        XCTAssertEqual(backoff.delay("c"), 10)
    }

    func testGCDropsIdleEntries() {
        var backoff = RestartBackoff(initial: 1, maximum: 10)
        backoff.next("old", eventTime: at(0), now: at(0))
        backoff.next("new", eventTime: at(15), now: at(15))
        backoff.gc(now: at(20))
        XCTAssertEqual(backoff.count, 2)
        backoff.gc(now: at(20.5))
        XCTAssertEqual(backoff.count, 1)
        XCTAssertEqual(backoff.delay("old"), 0)
        XCTAssertEqual(backoff.delay("new"), 1)
    }

    func testKeyNamesPodAndChangesWithImage() {
        let pod = makePod()
        var container = pod.spec.containers[0]
        let key = RestartBackoff.key(pod: pod, container: container)
        XCTAssertTrue(key.hasPrefix("web_default_u1_app_"), key)
        XCTAssertEqual(key, RestartBackoff.key(pod: pod, container: container))
        container.image = "alpine"
        XCTAssertNotEqual(key, RestartBackoff.key(pod: pod, container: container))
    }
}
