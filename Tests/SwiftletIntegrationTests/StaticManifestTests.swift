import Foundation
import SwiftletKube
import XCTest

/// The static-pod directory: edits, deletes, broken edits, ignored files, conflicts, bad input.
final class StaticManifestTests: IntegrationTestCase {
    func manifest(_ name: String, _ message: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name), labels: {app: demo}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: busybox, command: ["sh", "-c", "echo \(message); exec sleep 3600"]}
        """
    }

    func testEditRestartsDeleteCleansUpBrokenEditKeepsRunning() throws {
        try harness.write("demo.yaml", manifest("demo", "version-one"))
        let first = try harness.waitForRunning("demo")
        _ = try harness.waitForLog("demo", "main", contains: "version-one")

        // A content change is a new pod (new UID) with the new spec.
        try harness.write("demo.yaml", manifest("demo", "version-two"))
        let second = try harness.waitForPod("demo", "the edited pod") { $0.uid != first.uid && $0.status?.phase == .running }
        _ = try harness.waitForLog("demo", "main", contains: "version-two")
        XCTAssertTrue(harness.leakedProcesses().filter { $0.contains(first.uid) }.isEmpty, "old pod's processes are gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(harness.run)/pods/\(first.uid)"))

        // A broken edit leaves the running pod alone and says why.
        try harness.write("demo.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: demo}\nspec:\n  containers: [{name: Main}]\n")
        try harness.waitFor("the manifest to be reported invalid", timeout: 10) {
            (try? self.harness.client.manifests().items.first { $0.path.hasSuffix("demo.yaml") }?.state) == "Invalid"
        }
        let status = try XCTUnwrap(try harness.client.manifests().items.first { $0.path.hasSuffix("demo.yaml") })
        XCTAssertTrue(status.error?.contains("spec.containers[0].name") ?? false, status.error ?? "")
        XCTAssertTrue(status.error?.contains("spec.containers[0].image: Required value") ?? false, status.error ?? "")
        Thread.sleep(forTimeInterval: 1.5)  // past a full rescan
        let still = try XCTUnwrap(harness.pod("demo"))
        XCTAssertEqual(still.uid, second.uid)
        XCTAssertEqual(still.status?.phase, .running)
        XCTAssertEqual(still.status?.containerStatuses?.first?.restartCount, 0)
        try harness.waitFor("a FailedManifest event", timeout: 10) {
            (try? self.harness.client.listEvents(namespace: "default").items.contains { $0.reason == "FailedManifest" }) ?? false
        }

        // Deleting the file stops the pod and leaves nothing behind.
        try harness.remove("demo.yaml")
        try harness.waitForGone("demo")
        XCTAssertTrue(harness.leakedProcesses().isEmpty, "\(harness.leakedProcesses())")
        XCTAssertTrue(harness.leakedMounts().isEmpty, "\(harness.leakedMounts())")
        XCTAssertTrue(harness.leakedCgroups().isEmpty, "\(harness.leakedCgroups())")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: harness.run + "/pods")) ?? [], [])
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: harness.logs)) ?? [], [])
    }

    func testBackupFilesAreIgnoredAndDuplicatesAreConflicts() throws {
        try harness.write("a.yaml", manifest("dup", "from-a"))
        _ = try harness.waitForRunning("dup")
        // Editor and backup files never shadow the real manifest (a kubelet pain point).
        try harness.write("a.yaml.bak", manifest("dup", "from-backup"))
        try harness.write("a.yaml~", manifest("dup", "from-tilde"))
        try harness.write("b.yaml", manifest("dup", "from-b"))
        try harness.waitFor("both files to conflict", timeout: 10) {
            let items = (try? self.harness.client.manifests().items) ?? []
            return items.filter { $0.state == "Conflict" }.count == 2
        }
        let items = try harness.client.manifests().items
        XCTAssertEqual(items.map { ($0.path as NSString).lastPathComponent }.sorted(), ["a.yaml", "b.yaml"])
        XCTAssertTrue(items.allSatisfy { $0.error?.contains("default/dup") ?? false }, "\(items)")
        // The pod that ran keeps running (its log may lag on a loaded machine: wait for it).
        let log = try harness.waitForLog("dup", "main", contains: "from-a")
        XCTAssertFalse(log.contains("from-b") || log.contains("from-backup"), log)
    }

    func testTwentyMistakesGiveTwentyFieldErrorsAndTheAgentKeepsServing() throws {
        try harness.write(
            "bad.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: Bad_Name
              namespace: Team.A
              labels: {"-bad": ok, app: "bad value"}
              annotations: {"a/b/c": x}
            spec:
              restartPolicy: Sometimes
              terminationGracePeriodSeconds: -1
              activeDeadlineSeconds: 0
              hostname: Host_1
              subdomain: sub.domain
              initContainers:
              - {name: init, image: busybox, restartPolicy: Never}
              - {name: web, image: busybox}
              containers:
              - name: web
                image: ""
                imagePullPolicy: Sometimes
                env: [{name: 1BAD}]
                ports:
                - {containerPort: 70000, hostPort: -1, protocol: HTTP, name: http}
                - {containerPort: 81, name: http}
              - {name: Web2, image: busybox}
            """)
        try harness.write("good.yaml", manifest("good", "fine"))
        _ = try harness.waitForRunning("good")
        let bad = try XCTUnwrap(try harness.client.manifests().items.first { $0.path.hasSuffix("bad.yaml") })
        XCTAssertEqual(bad.state, "Invalid")
        let lines = (bad.error ?? "").split(separator: "\n").filter { $0.hasPrefix("  spec.") || $0.hasPrefix("  metadata.") }
        XCTAssertEqual(lines.count, 20, bad.error ?? "")
        XCTAssertNotNil(try? harness.client.version(), "the agent keeps serving")
    }
}
