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

    /// Similar events (same reason, differing messages): the first nine are rows of their own,
    /// the tenth and later ones are one combined row whose count rises and whose message is the
    /// latest, while repeats of the earlier messages still bump their own rows.
    func testSimilarEventsAreCombinedAfterTenDistinctMessages() async {
        let r = EventRecorder(nodeName: "n1")
        let web = pod("web", uid: "u1")
        for i in 1...12 {
            await record(r, web, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: \(500 + i)",
                         field: "spec.containers{a}", type: "Warning", at: TimeInterval(i))
        }
        await record(r, web, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 501",
                     field: "spec.containers{a}", type: "Warning", at: 13)
        let events = await r.list(namespace: nil, now: at(14))
        XCTAssertEqual(events.count, 10)
        let combined = events.filter { $0.message.hasPrefix("(combined from similar events): ") }
        XCTAssertEqual(combined.count, 1)
        XCTAssertEqual(combined.first?.count, 3)
        XCTAssertEqual(combined.first?.message, "(combined from similar events): Readiness probe failed: HTTP probe failed with statuscode: 512")
        XCTAssertEqual(combined.first?.firstTimestamp, at(10))
        XCTAssertEqual(combined.first?.lastTimestamp, at(12))
        XCTAssertEqual(combined.first?.involvedObject.fieldPath, "spec.containers{a}")
        XCTAssertEqual(events.first { $0.message.hasSuffix("501") }?.count, 2)
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

    // MARK: - The events file

    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "swiftlet-events-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// A restarted recorder lists what the last one kept, bumps the same events (exact and
    /// combined) and still expires them an hour after their last update.
    func testEventsSurviveARestartWithCountsAndTTL() async throws {
        let path = try temporaryDirectory() + "/events/events.jsonl"
        let first = EventRecorder(nodeName: "n1", file: path)
        let web = pod("web", uid: "u1")
        await record(first, web, "Pulled", "Container image \"busybox\" already present on machine", field: "spec.containers{a}", at: 0)
        await record(first, web, "BackOff", "Back-off restarting failed container a", field: "spec.containers{a}", type: "Warning", at: 10)
        await record(first, web, "BackOff", "Back-off restarting failed container a", field: "spec.containers{a}", type: "Warning", at: 20)
        for i in 1...10 { await record(first, web, "Unhealthy", "probe \(i)", type: "Warning", at: 3000 + TimeInterval(i)) }
        await first.save()
        let before = await first.list(namespace: nil, now: at(3100))

        let second = EventRecorder(nodeName: "n1", file: path)
        let problems = await second.restore(now: at(3100))
        XCTAssertEqual(problems, [])
        let after = await second.list(namespace: nil, now: at(3100))
        XCTAssertEqual(after, before)
        XCTAssertEqual(after.count, 12)

        await record(second, web, "BackOff", "Back-off restarting failed container a", field: "spec.containers{a}", type: "Warning", at: 3200)
        await record(second, web, "Unhealthy", "probe 11", type: "Warning", at: 3201)  // the group goes on combining
        let bumped = await second.list(namespace: nil, now: at(3202))
        XCTAssertEqual(bumped.count, 12)
        let backOff = try XCTUnwrap(bumped.first { $0.reason == "BackOff" })
        XCTAssertEqual(backOff.count, 3)
        XCTAssertEqual(backOff.metadata.name, before.first { $0.reason == "BackOff" }?.metadata.name)
        let combined = try XCTUnwrap(bumped.first { $0.message.hasPrefix("(combined") })
        XCTAssertEqual(combined.count, 2)
        XCTAssertEqual(combined.message, "(combined from similar events): probe 11")

        // An hour after its last update Pulled (t=0) is gone at restore; BackOff (t=3200) is not.
        await second.save()
        let third = EventRecorder(nodeName: "n1", file: path)
        await third.restore(now: at(3601))
        let remaining = await third.list(namespace: nil, now: at(3601))
        let reasons = Set(remaining.map(\.reason))
        XCTAssertEqual(reasons, ["BackOff", "Unhealthy"])
    }

    /// Unreadable lines (garbage, a line cut short by a crash) are reported and skipped, the rest
    /// is restored, the damaged file is set aside and a readable one written in its place.
    func testADamagedEventsFileIsReportedAndSkipped() async throws {
        let path = try temporaryDirectory() + "/events.jsonl"
        let first = EventRecorder(nodeName: "n1", file: path)
        await record(first, pod("a", uid: "1"), "Started", "Started container a", at: 0)
        await record(first, pod("b", uid: "2"), "Started", "Started container b", at: 1)
        await first.save()
        let good = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(good.count, 2)
        let damaged = good[0] + "\n\u{00}\u{ff}garbage{\n" + "{\"combined\":false}\n" + good[1].prefix(good[1].count / 2)
        try damaged.write(toFile: path, atomically: false, encoding: .utf8)

        let second = EventRecorder(nodeName: "n1", file: path, writeDelay: .milliseconds(1))
        let problems = await second.restore(now: at(2))
        XCTAssertEqual(problems.count, 3, "\(problems)")
        XCTAssertTrue(problems.allSatisfy { $0.hasPrefix(path + ":") }, "\(problems)")
        let kept = await second.list(namespace: nil, now: at(2))
        XCTAssertEqual(kept.map(\.involvedObject.name), ["b"], "the first line (newest first)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".corrupt"))
        await second.save()
        let third = EventRecorder(nodeName: "n1", file: path)
        let again = await third.restore(now: at(2))
        XCTAssertEqual(again, [])
        let rewritten = await third.list(namespace: nil, now: at(2))
        XCTAssertEqual(rewritten.map(\.involvedObject.name), ["b"])
    }

    /// A full disk (a real one: a tiny tmpfs filled up) keeps the events in memory; the write is
    /// retried and succeeds once there is room.
    func testAFullDiskKeepsEventsInMemory() async throws {
        try XCTSkipUnless(getuid() == 0, "mounting a tmpfs needs root")
        let dir = try temporaryDirectory() + "/disk"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DaemonHarness.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "swiftlet-it-events", dir])
        defer { _ = try? DaemonHarness.runTool("/bin/umount", [dir]) }
        let filler = dir + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: filler))
        do { while true { try handle.write(contentsOf: Data(repeating: 0x2e, count: 1024)) } } catch {}
        try handle.close()

        let r = EventRecorder(nodeName: "n1", file: dir + "/events.jsonl")
        for i in 0..<5 { await record(r, pod("p\(i)", uid: "\(i)"), "Started", "Started container main", at: TimeInterval(i)) }
        await r.save()
        let failing = await r.writeFailing
        XCTAssertTrue(failing)
        let inMemory = await r.list(namespace: nil, now: at(5))
        XCTAssertEqual(inMemory.count, 5, "kept in memory")

        try FileManager.default.removeItem(atPath: filler)
        await r.save()
        let failingAfter = await r.writeFailing
        XCTAssertFalse(failingAfter)
        let restored = EventRecorder(nodeName: "n1", file: dir + "/events.jsonl")
        await restored.restore(now: at(5))
        let reread = await restored.list(namespace: nil, now: at(5))
        XCTAssertEqual(reread.count, 5)
    }
}
