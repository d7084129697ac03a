import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// client-go's `EventCorrelator` (tools/record/events_cache.go, defaults of `NewEventCorrelator`):
/// which stored event each occurrence lands on.
final class EventCorrelatorTests: XCTestCase {
    struct Occurrence {
        var at: TimeInterval
        var reason = "Unhealthy"
        var message: String
        var fieldPath: String? = "spec.containers{web}"
        var type = "Warning"
        var uid = "u1"
        var component = "swiftlet"
    }

    /// What an occurrence became: "own <message>" (its own event) or "combined <message>".
    func run(_ occurrences: [Occurrence], correlator: EventCorrelator = EventCorrelator()) -> [String] {
        var c = correlator
        return occurrences.map { o in
            let outcome = c.correlate(
                source: EventSource(component: o.component, host: "n1"),
                object: ObjectReference(kind: "Pod", namespace: "default", name: "web", uid: o.uid, fieldPath: o.fieldPath),
                type: o.type, reason: o.reason, message: o.message, now: Date(timeIntervalSince1970: 1_800_000_000 + o.at))
            switch outcome.key {
            case .exact(let key):
                XCTAssertEqual(key.message, o.message)
                return "own \(outcome.message)"
            case .combined:
                return "combined \(outcome.message)"
            }
        }
    }

    func distinct(_ n: Int, from: Int = 1, every seconds: TimeInterval = 1, start: TimeInterval = 0) -> [Occurrence] {
        (0..<n).map { Occurrence(at: start + TimeInterval($0) * seconds, message: "m\(from + $0)") }
    }

    func testTheTenthDistinctMessageWithinTenMinutesIsCombined() {
        let got = run(distinct(12))
        XCTAssertEqual(Array(got.prefix(9)), (1...9).map { "own m\($0)" })
        XCTAssertEqual(got[9], "combined (combined from similar events): m10")
        XCTAssertEqual(got[10], "combined (combined from similar events): m11")
        XCTAssertEqual(got[11], "combined (combined from similar events): m12")
    }

    func testRepeatsAreNotDistinctAndEarlierMessagesKeepTheirOwnEvents() {
        var occurrences = distinct(9)
        // Repeats of a message seen before never count towards the ten.
        occurrences += (0..<20).map { Occurrence(at: 10 + TimeInterval($0), message: "m3") }
        occurrences.append(Occurrence(at: 40, message: "m10"))  // the tenth distinct
        occurrences.append(Occurrence(at: 41, message: "m1"))  // seen before aggregation began
        occurrences.append(Occurrence(at: 42, message: "m10"))  // a combined message again
        let got = run(occurrences)
        XCTAssertTrue(got[9..<29].allSatisfy { $0 == "own m3" }, "\(got)")
        XCTAssertEqual(Array(got.suffix(3)), [
            "combined (combined from similar events): m10", "own m1", "combined (combined from similar events): m10",
        ])
    }

    /// The aggregate key leaves out the fieldPath: the same reason about different containers is one group.
    func testContainersOfOnePodAreOneGroup() {
        let occurrences = (1...10).map {
            Occurrence(at: TimeInterval($0), reason: "Created", message: "Created container: c\($0)", fieldPath: "spec.containers{c\($0)}", type: "Normal")
        }
        XCTAssertEqual(run(occurrences).last, "combined (combined from similar events): Created container: c10")
    }

    /// Each part of the aggregate key (reason, type, object uid, source) makes its own group.
    func testGroupsAreSeparatedByReasonTypeObjectAndSource() {
        let variants: [(String, (inout Occurrence) -> Void)] = [
            ("reason", { $0.reason = "BackOff" }), ("type", { $0.type = "Normal" }), ("uid", { $0.uid = "u2" }),
            ("component", { $0.component = "other" }),
        ]
        for (name, change) in variants {
            var occurrences = distinct(9)
            var tenth = Occurrence(at: 20, message: "m10")
            change(&tenth)
            occurrences.append(tenth)
            XCTAssertEqual(run(occurrences).last, "own m10", name)
        }
    }

    /// `interval > maxInterval` resets the group; the interval runs from the group's last event,
    /// so a steady trickle keeps one group alive for longer than ten minutes.
    func testTheIntervalIsRollingAndStrict() {
        let cases: [(name: String, gap: TimeInterval, tenth: String)] = [
            ("exactly 600 s later still aggregates", 600, "combined (combined from similar events): m10"),
            ("601 s later starts over", 601, "own m10"),
        ]
        for c in cases {
            var occurrences = distinct(9)
            occurrences.append(Occurrence(at: 8 + c.gap, message: "m10"))
            XCTAssertEqual(run(occurrences).last, c.tenth, c.name)
        }
        // One message every 500 s: 5000 s in all, never more than 600 s apart.
        XCTAssertEqual(run(distinct(10, every: 500)).last, "combined (combined from similar events): m10")
        // After a reset the count starts from zero: nine more are their own.
        let reset = run(distinct(9) + distinct(9, from: 20, start: 1000))
        XCTAssertTrue(reset.allSatisfy { $0.hasPrefix("own") }, "\(reset)")
    }

    func testOptionsAndCacheBound() {
        XCTAssertEqual(run(distinct(2), correlator: EventCorrelator(maxEvents: 2)).last, "combined (combined from similar events): m2")
        // A forgotten group starts over: with room for one group, another group's event evicts it.
        var c = EventCorrelator(cacheSize: 1)
        let source = EventSource(component: "swiftlet", host: "n1")
        let object = ObjectReference(kind: "Pod", namespace: "default", name: "web", uid: "u1")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 1...9 { _ = c.correlate(source: source, object: object, type: "Warning", reason: "A", message: "\(i)", now: now) }
        _ = c.correlate(source: source, object: object, type: "Warning", reason: "B", message: "b", now: now.addingTimeInterval(1))
        XCTAssertEqual(c.groups.count, 1)
        let tenth = c.correlate(source: source, object: object, type: "Warning", reason: "A", message: "10", now: now.addingTimeInterval(2))
        XCTAssertEqual(tenth.message, "10")
    }

    /// Stored events rebuild the groups after a restart: recent ones count, old ones do not.
    func testRestoreFromStoredEvents() {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func stored(_ message: String, last: TimeInterval) -> Event {
            Event(
                metadata: ObjectMeta(name: "web.\(message)", namespace: "default"),
                involvedObject: ObjectReference(kind: "Pod", namespace: "default", name: "web", uid: "u1", fieldPath: "spec.containers{web}"),
                reason: "Unhealthy", message: message, type: "Warning", count: 1, firstTimestamp: KubeTime(base),
                lastTimestamp: KubeTime(base.addingTimeInterval(last)), source: EventSource(component: "swiftlet", host: "n1"))
        }
        let now = base.addingTimeInterval(1000)
        var c = EventCorrelator()
        // m0 is older than ten minutes at `now`; m1…m8 are recent.
        c.restore([(stored("m0", last: 100), false)] + (1...8).map { (stored("m\($0)", last: 900), false) }, now: now)
        let source = EventSource(component: "swiftlet", host: "n1")
        let object = ObjectReference(kind: "Pod", namespace: "default", name: "web", uid: "u1", fieldPath: "spec.containers{web}")
        let ninth = c.correlate(source: source, object: object, type: "Warning", reason: "Unhealthy", message: "m9", now: now)
        XCTAssertEqual(ninth.key, .exact(.init(group: EventCorrelator.groupKey(source: source, object: object, type: "Warning", reason: "Unhealthy"), fieldPath: "spec.containers{web}", message: "m9")))
        let tenth = c.correlate(source: source, object: object, type: "Warning", reason: "Unhealthy", message: "m10", now: now)
        XCTAssertEqual(tenth.message, "(combined from similar events): m10")
        // The key of a stored event is the one a new occurrence of it gets.
        XCTAssertEqual(EventCorrelator.key(of: stored("m9", last: 1000), combined: false), ninth.key)
        XCTAssertEqual(EventCorrelator.key(of: stored("x", last: 1000), combined: true), tenth.key)
    }
}
