import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Events of real pods and controllers with the kubelet's reasons and messages, de-duplicated,
/// listed, filtered and watched through the API and the CLI.
final class EventsTests: IntegrationTestCase {
    override func tearDownWithError() throws {
        // The controller would replace the pods the harness deletes: remove the set first.
        if let harness { _ = try? harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: "evrs") }
        try super.tearDownWithError()
    }

    func events(_ name: String) -> [Event] {
        (try? harness.client.listEvents(namespace: "default", fieldSelector: "involvedObject.name=\(name)").items) ?? []
    }

    func dump(_ events: [Event]) -> String {
        events.map { "\($0.type) \($0.reason) \($0.involvedObject.fieldPath ?? "-") x\($0.count): \($0.message)" }
            .joined(separator: "\n")
    }

    /// A pod's life as `kubectl get events` shows it: Scheduled, Pulled, Created, Started with the
    /// container's fieldPath; a crash loop is one BackOff row whose count rises; deletion is Killing.
    func testPodLifecycleEventsAndDeduplication() throws {
        var pod = DaemonHarness.sleeper("evpod")
        pod.spec.containers.append(Container(name: "crash", image: "busybox", command: ["sh", "-c", "exit 1"]))
        let created = try harness.client.createPod(pod)
        let uid = created.metadata.uid
        try harness.waitFor("a repeated BackOff event", timeout: 60) {
            events("evpod").contains { $0.reason == "BackOff" && $0.count >= 2 }
        }
        let all = events("evpod")
        let text = dump(all)
        func has(_ type: String, _ reason: String, _ field: String?, _ message: String) -> Bool {
            all.contains { $0.type == type && $0.reason == reason && $0.involvedObject.fieldPath == field && $0.message == message }
        }
        let node = try XCTUnwrap(created.spec.nodeName)
        XCTAssertTrue(has("Normal", "Scheduled", nil, "Successfully assigned default/evpod to \(node)"), text)
        XCTAssertEqual(all.first { $0.reason == "Scheduled" }?.source.component, "default-scheduler")
        XCTAssertTrue(has("Normal", "Pulled", "spec.containers{main}", "Container image \"busybox\" already present on machine"), text)
        XCTAssertTrue(has("Normal", "Created", "spec.containers{main}", "Created container: main"), text)
        XCTAssertTrue(has("Normal", "Started", "spec.containers{main}", "Started container main"), text)
        XCTAssertTrue(has("Normal", "Started", "spec.containers{crash}", "Started container crash"), text)
        XCTAssertTrue(
            has("Warning", "BackOff", nil, "Back-off restarting failed container crash in pod evpod_default(\(uid ?? ""))"), text)
        XCTAssertEqual(all.filter { $0.reason == "BackOff" }.count, 1, "one row per key:\n\(text)")
        let started = try XCTUnwrap(all.first { $0.reason == "Started" && $0.involvedObject.fieldPath == "spec.containers{crash}" })
        XCTAssertGreaterThanOrEqual(started.count, 2, "each restart bumps the same row:\n\(text)")
        XCTAssertGreaterThanOrEqual(started.lastTimestamp, started.firstTimestamp)
        XCTAssertTrue(all.allSatisfy { $0.involvedObject.kind == "Pod" && $0.involvedObject.uid == uid && $0.source.component != nil })

        // Field selectors by uid, and the namespaced list excludes other namespaces.
        let byUID = try harness.client.listEvents(namespace: nil, fieldSelector: "involvedObject.uid=\(uid ?? "")").items
        XCTAssertEqual(Set(byUID.compactMap(\.metadata.name)), Set(all.compactMap(\.metadata.name)))
        XCTAssertTrue(try harness.client.listEvents(namespace: "kube-system").items.allSatisfy { $0.metadata.namespace == "kube-system" })

        // The CLI table: kubectl's columns, the object as kind/name.
        let table = try swiftlet(["get", "events"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertEqual(header.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "),
                       "LAST SEEN TYPE REASON OBJECT MESSAGE")
        XCTAssertTrue(table.stdout.contains("pod/evpod"), table.stdout)
        XCTAssertTrue(table.stdout.contains("Back-off restarting failed container crash"), table.stdout)
        let wide = try swiftlet(["get", "events", "-A"])
        XCTAssertTrue(wide.stdout.hasPrefix("NAMESPACE"), wide.stdout)
        // kubectl events --for: only the pod's rows (the node's own events and others are left out).
        let forPod = try swiftlet(["get", "events", "--for", "pod/evpod", "--no-headers"])
        XCTAssertEqual(forPod.status, 0, forPod.stderr)
        let rows = forPod.stdout.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(rows.count, all.count, forPod.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.contains(" pod/evpod ") }, forPod.stdout)
        let noSuchPod = try swiftlet(["get", "events", "--for", "pod/nothere"])
        XCTAssertEqual(noSuchPod.status, 0)
        XCTAssertEqual(noSuchPod.stdout, "")
        let badFor = try swiftlet(["get", "events", "--for", "evpod"])
        XCTAssertNotEqual(badFor.status, 0)
        XCTAssertTrue(badFor.stderr.contains("--for must be in resource/name form"), badFor.stderr)

        // describe shows the same events, with the container's fieldPath before the message (kubectl 1.35+).
        let described = try swiftlet(["describe", "pod", "evpod"])
        XCTAssertEqual(described.status, 0, described.stderr)
        XCTAssertTrue(described.stdout.contains("spec.containers{main}: Started container main"), described.stdout)
        XCTAssertTrue(described.stdout.contains("Successfully assigned default/evpod to \(node)"), described.stdout)
        XCTAssertTrue(described.stdout.contains("Last State:     Terminated"), described.stdout)
        XCTAssertTrue(described.stdout.contains("QoS Class:"), described.stdout)

        _ = try harness.client.deletePod(namespace: "default", name: "evpod", gracePeriodSeconds: 1)
        try harness.waitFor("a Killing event for the main container", timeout: 30) {
            events("evpod").contains {
                $0.reason == "Killing" && $0.involvedObject.fieldPath == "spec.containers{main}" && $0.message == "Stopping container main"
            }
        }
        try harness.waitForGone("evpod")
    }

    /// `?watch=true` replays the kept events, then streams new ones and count bumps (MODIFIED),
    /// filtered by the field selector.
    func testWatchStreamsNewAndRepeatedEvents() throws {
        let client = harness.client
        let seen = LockedLines()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? client.watchEvents(namespace: "default", fieldSelector: "involvedObject.name=watched") { change in
                seen.append("\(change.type) \(change.object.reason) \(change.object.involvedObject.name ?? "")")
                if change.type == "MODIFIED" && change.object.reason == "BackOff" {
                    done.signal()
                    return false
                }
                return true
            }
        }
        thread.start()
        _ = try harness.client.createPod(DaemonHarness.sleeper("other"))
        var pod = DaemonHarness.sleeper("watched")
        pod.spec.containers = [Container(name: "crash", image: "busybox", command: ["sh", "-c", "exit 1"])]
        _ = try harness.client.createPod(pod)
        XCTAssertEqual(done.wait(timeout: .now() + 90), .success, "no MODIFIED BackOff in the watch: \(seen.lines)")
        let lines = seen.lines
        XCTAssertTrue(lines.contains("ADDED Scheduled watched"), "\(lines)")
        XCTAssertTrue(lines.contains("ADDED Started watched"), "\(lines)")
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix(" watched") }, "the selector filters the watch: \(lines)")
    }

    /// An HTTP probe answered by a redirect to another host passes, with the kubelet's
    /// ProbeWarning event carrying the response body.
    func testRedirectToAnotherHostIsAProbeWarning() throws {
        try harness.write(
            "redirect.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: redirect}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: web
                image: busybox
                command: ["sh", "-c", "while true; do printf 'HTTP/1.0 302 Found\\r\\nLocation: http://elsewhere.invalid/\\r\\n\\r\\nmoved' | nc -l -p 8080; done"]
                readinessProbe:
                  httpGet: {path: /healthz, port: 8080}
                  periodSeconds: 1
            """)
        let name = try harness.waitForRunning("redirect").name
        _ = try harness.waitForPod(name, timeout: 60, "Ready through the warning") { $0.status?.containerStatuses?.first?.ready == true }
        let warning = try XCTUnwrap(events(name).first { $0.reason == "ProbeWarning" }, dump(events(name)))
        XCTAssertEqual(warning.type, "Warning")
        XCTAssertEqual(warning.involvedObject.fieldPath, "spec.containers{web}")
        XCTAssertEqual(warning.message, "Readiness probe warning: Probe terminated redirects, Response body: moved")
        // (An Unhealthy "connection refused" may come first, before nc listens; a 3xx is never one.)
        XCTAssertFalse(events(name).contains { $0.reason == "Unhealthy" && $0.message.contains("statuscode") }, dump(events(name)))
    }

    /// The ReplicaSet controller records its own events about the ReplicaSet.
    func testReplicaSetEvents() throws {
        var spec = PodSpec(containers: [Container(name: "main", image: "busybox", command: ["sleep", "3600"])])
        spec.terminationGracePeriodSeconds = 1
        let rs = ReplicaSet(
            metadata: ObjectMeta(name: "evrs"),
            spec: .init(
                replicas: 2, selector: WorkloadSelector(matchLabels: ["app": "evrs"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "evrs"]), spec: spec)))
        let created = try harness.client.createObject(rs)
        try harness.waitFor("two SuccessfulCreate events", timeout: 60) {
            events("evrs").filter { $0.reason == "SuccessfulCreate" }.count == 2
        }
        // The controller writes .status meanwhile: retry the update on a resourceVersion conflict.
        try harness.waitFor("the scale-down accepted", timeout: 30) {
            guard var scaled = try? harness.client.getObject(ReplicaSet.self, namespace: "default", name: "evrs") else { return false }
            scaled.spec.replicas = 1
            return (try? harness.client.replaceObject(scaled)) != nil
        }
        try harness.waitFor("a SuccessfulDelete event", timeout: 60) {
            events("evrs").contains { $0.reason == "SuccessfulDelete" && $0.message.hasPrefix("Deleted pod: evrs-") }
        }
        let all = events("evrs")
        XCTAssertTrue(all.allSatisfy {
            $0.involvedObject.kind == "ReplicaSet" && $0.involvedObject.apiVersion == "apps/v1"
                && $0.involvedObject.uid == created.metadata.uid && $0.source.component == "replicaset-controller"
        }, dump(all))
        XCTAssertTrue(all.contains { $0.message.hasPrefix("Created pod: evrs-") }, dump(all))
        _ = try harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: "evrs")
    }
}

/// Lines appended by a watch thread, read by the test.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}
