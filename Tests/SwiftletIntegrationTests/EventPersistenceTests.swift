import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Events are this node's API-server objects: they outlive a kill -9 of the agent (counts go on on
/// the same events), and a damaged events file is reported and skipped, never fatal.
final class EventPersistenceTests: IntegrationTestCase {
    var eventsFile: String { harness.state + "/events/events.jsonl" }

    func events(_ name: String) -> [Event] {
        (try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=\(name)").items) ?? []
    }

    func dump(_ events: [Event]) -> String {
        events.map { "\($0.metadata.name ?? "") \($0.reason) \($0.involvedObject.fieldPath ?? "-") x\($0.count): \($0.message)" }
            .joined(separator: "\n")
    }

    /// The events the file holds for an object (what a restarted agent will list).
    func storedEvents(_ name: String) -> [Event] {
        struct Line: Decodable { var event: Event }
        guard let data = FileManager.default.contents(atPath: eventsFile) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONDecoder().decode(Line.self, from: Data($0)).event }
            .filter { $0.involvedObject.name == name }
    }

    func testEventsSurviveKillNineAndADamagedFileIsSkipped() throws {
        var pod = DaemonHarness.sleeper("persisted", grace: 1)
        pod.spec.containers.append(Container(name: "crash", image: "busybox", command: ["sh", "-c", "exit 1"]))
        _ = try harness.client.createPod(pod)
        try harness.waitFor("a repeated BackOff event in the events file", timeout: 60) {
            storedEvents("persisted").contains { $0.reason == "BackOff" && $0.count >= 2 }
                && storedEvents("persisted").contains { $0.reason == "Started" && $0.involvedObject.fieldPath == "spec.containers{main}" }
        }
        let stored = storedEvents("persisted")
        harness.kill9()

        try harness.start()
        let restored = events("persisted")
        for event in stored {
            let same = restored.first { $0.metadata.name == event.metadata.name }
            XCTAssertNotNil(same, "\(event.reason) lost:\n\(dump(restored))")
            XCTAssertGreaterThanOrEqual(same?.count ?? 0, event.count, dump(restored))
            XCTAssertEqual(same?.firstTimestamp, event.firstTimestamp)
        }
        // The crash loop goes on: the same BackOff event counts on.
        let backOff = try XCTUnwrap(stored.first { $0.reason == "BackOff" })
        try harness.waitFor("the restored BackOff event to count on", timeout: 60) {
            events("persisted").contains { $0.metadata.name == backOff.metadata.name && $0.count > backOff.count }
        }
        XCTAssertEqual(events("persisted").filter { $0.reason == "BackOff" }.count, 1, dump(events("persisted")))
        let described = try swiftlet(["describe", "pod", "persisted"])
        XCTAssertTrue(described.stdout.contains("spec.containers{main}: Started container main"), described.stdout)

        // A crash in the middle of a line, then garbage: the agent starts, reports, keeps the rest.
        harness.kill9()
        let text = try String(contentsOfFile: eventsFile, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 2)
        let damaged = lines.dropLast().joined(separator: "\n") + "\n\u{1}\u{2}not json\n" + lines[lines.count - 1].prefix(40)
        try damaged.write(toFile: eventsFile, atomically: false, encoding: .utf8)
        try harness.start()
        XCTAssertTrue(FileManager.default.fileExists(atPath: eventsFile + ".corrupt"))
        let log = (try? String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("events file: \(eventsFile):"), "the damage is reported:\n\(log.suffix(3000))")
        XCTAssertFalse(events("persisted").isEmpty, "the readable lines are restored")
        let table = try swiftlet(["get", "events"])
        XCTAssertEqual(table.status, 0, table.stderr)
        // Only the readable events are written back.
        try harness.waitFor("a readable events file again", timeout: 30) {
            guard let data = FileManager.default.contents(atPath: eventsFile) else { return false }
            struct Line: Decodable { var event: Event }
            return data.split(separator: 0x0A).allSatisfy { (try? JSONDecoder().decode(Line.self, from: Data($0))) != nil }
        }

        // Nothing at all readable (binary garbage): still starts, with an empty store.
        harness.kill9()
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: eventsFile))
        try harness.start()
        XCTAssertEqual(try swiftlet(["get", "events"]).status, 0)
        try harness.waitFor("new events after the garbage", timeout: 60) { !events("persisted").isEmpty }
    }
}
