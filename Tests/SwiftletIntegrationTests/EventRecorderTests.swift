import Foundation
import SwiftletAgent
import SwiftletKube
import SwiftletServer
import XCTest

/// The in-memory event store: client-go's correlation key, the bound and the TTL, the watch.
/// Pure (no daemon, no root), kept here because the recorder lives in SwiftletAgent.
final class EventRecorderTests: XCTestCase {
    func pod(_ name: String, uid: String) -> Pod {
        Pod(metadata: ObjectMeta(name: name, namespace: "default", uid: uid), spec: PodSpec(containers: []))
    }

    func at(_ seconds: TimeInterval) -> KubeTime { KubeTime(Date(timeIntervalSince1970: 1_800_000_000 + seconds)) }

    func record(_ r: EventRecorder, _ p: Pod, _ reason: String, _ message: String, field: String? = nil,
                type: String = "Normal", component: String = "swiftlet", at t: TimeInterval) async {
        let ref = ObjectReference(kind: "Pod", namespace: p.namespace, name: p.name, uid: p.metadata.uid, fieldPath: field)
        await r.record(about: ref, type: type, reason: reason, message: message, component: component, now: at(t))
    }

    func testRepeatsOfTheSameKeyBumpCountAndLastTimestamp() async {
        let r = EventRecorder(nodeName: "n1")
        let web = pod("web", uid: "u1")
        await record(r, web, "BackOff", "Back-off restarting failed container", field: "spec.containers{a}", at: 0)
        await record(r, web, "BackOff", "Back-off restarting failed container", field: "spec.containers{a}", at: 10)
        await record(r, web, "BackOff", "Back-off restarting failed container", field: "spec.containers{a}", at: 25)
        let events = await r.list(namespace: nil, now: at(30))
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?.count, 3)
        XCTAssertEqual(events.first?.firstTimestamp, at(0))
        XCTAssertEqual(events.first?.lastTimestamp, at(25))
        XCTAssertEqual(events.first?.source, EventSource(component: "swiftlet", host: "n1"))
    }

    /// Every part of client-go's getEventKey keeps two events apart.
    func testEachPartOfTheKeySeparatesEvents() async {
        let r = EventRecorder(nodeName: "n1")
        let web = pod("web", uid: "u1")
        await record(r, web, "Started", "Started container a", field: "spec.containers{a}", at: 0)
        await record(r, web, "Started", "Started container a", field: "spec.containers{b}", at: 1)  // fieldPath
        await record(r, web, "Started", "Started container b", field: "spec.containers{a}", at: 2)  // message
        await record(r, web, "Created", "Started container a", field: "spec.containers{a}", at: 3)  // reason
        await record(r, web, "Started", "Started container a", field: "spec.containers{a}", type: "Warning", at: 4)
        await record(r, web, "Started", "Started container a", field: "spec.containers{a}", component: "other", at: 5)
        await record(r, pod("web", uid: "u2"), "Started", "Started container a", field: "spec.containers{a}", at: 6)  // uid
        let events = await r.list(namespace: nil, now: at(7))
        XCTAssertEqual(events.count, 7)
        XCTAssertTrue(events.allSatisfy { $0.count == 1 })
        XCTAssertEqual(Set(events.compactMap(\.metadata.name)).count, 7, "names are unique")
        XCTAssertEqual(events.map(\.firstTimestamp), (0..<7).map { at(TimeInterval($0)) }, "oldest first")
    }

    /// The least recently updated event goes first; evictions are counted.
    func testCapacityEvictsTheLeastRecentlyUpdated() async {
        let r = EventRecorder(nodeName: "n1", capacity: 3)
        let web = pod("web", uid: "u1")
        await record(r, web, "A", "a", at: 0)
        await record(r, web, "B", "b", at: 1)
        await record(r, web, "C", "c", at: 2)
        await record(r, web, "A", "a", at: 3)  // A is now newer than B
        await record(r, web, "D", "d", at: 4)
        var reasons = await r.list(namespace: nil, now: at(5)).map(\.reason)
        XCTAssertEqual(reasons, ["A", "C", "D"])
        await record(r, web, "E", "e", at: 6)
        reasons = await r.list(namespace: nil, now: at(7)).map(\.reason)
        XCTAssertEqual(reasons, ["A", "D", "E"])
        let evicted = await r.evicted
        XCTAssertEqual(evicted, 2)
    }

    func testEventsNotUpdatedForTheTTLExpire() async {
        let r = EventRecorder(nodeName: "n1", timeToLive: 3600)
        let web = pod("web", uid: "u1")
        await record(r, web, "Old", "o", at: 0)
        await record(r, web, "Kept", "k", at: 0)
        await record(r, web, "Kept", "k", at: 3000)
        let reasons = await r.list(namespace: nil, now: at(3601)).map(\.reason)
        XCTAssertEqual(reasons, ["Kept"])
        let evicted = await r.evicted
        XCTAssertEqual(evicted, 0, "expiry is not eviction")
    }

    func testNamespaceFilter() async {
        let r = EventRecorder(nodeName: "n1")
        await record(r, pod("a", uid: "1"), "X", "x", at: 0)
        await record(r, Pod(metadata: ObjectMeta(name: "b", namespace: "kube-system", uid: "2"), spec: PodSpec(containers: [])), "X", "x", at: 1)
        let names = await r.list(namespace: "kube-system", now: at(2)).map(\.involvedObject.name)
        XCTAssertEqual(names, ["b"])
    }

    /// The watch replays what is kept, then reports new events, repeats and evictions.
    func testWatchReplaysThenStreamsChanges() async {
        let r = EventRecorder(nodeName: "n1", capacity: 2)
        let web = pod("web", uid: "u1")
        await record(r, web, "A", "a", at: 0)
        let stream = await r.watch()
        await record(r, web, "A", "a", at: 1)
        await record(r, web, "B", "b", at: 2)
        await record(r, web, "C", "c", at: 3)
        var seen: [String] = []
        for await change in stream {
            seen.append("\(change.type) \(change.object.reason) \(change.object.count)")
            if seen.count == 5 { break }
        }
        XCTAssertEqual(seen, ["ADDED A 1", "MODIFIED A 2", "ADDED B 1", "ADDED C 1", "DELETED A 2"])
    }
}
