import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Workload controllers with real pods: the ReplicaSet keeps its replicas, replaces, releases,
/// adopts and scales; deleting it cascades or orphans; a file-defined set survives kill -9.
final class ControllerTests: IntegrationTestCase {
    override func tearDownWithError() throws {
        // Controllers would replace the pods the harness deletes: remove them first (cascade).
        if let harness {
            for rs in (try? harness.client.listObjects(ReplicaSet.self, namespace: "default")) ?? [] {
                _ = try? harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: rs.name)
            }
        }
        try super.tearDownWithError()
    }

    func replicaSet(_ name: String, replicas: Int32) -> ReplicaSet {
        let container = Container(name: "main", image: "busybox", command: ["sleep", "3600"])
        var spec = PodSpec(containers: [container])
        spec.terminationGracePeriodSeconds = 1
        return ReplicaSet(
            metadata: ObjectMeta(name: name),
            spec: .init(
                replicas: replicas, selector: WorkloadSelector(matchLabels: ["app": name]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: spec)))
    }

    /// The active pods whose controller is `uid`.
    func owned(by uid: String?) -> [Pod] {
        ((try? harness.client.listPods(namespace: "default").items) ?? []).filter { pod in
            pod.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false
                && pod.metadata.deletionTimestamp == nil && !(pod.status?.phase?.isTerminal ?? false)
        }
    }

    @discardableResult
    func waitForRunningPods(of uid: String?, count: Int, _ what: String, timeout: TimeInterval = 60) throws -> [Pod] {
        var pods: [Pod] = []
        try harness.waitFor("\(what): \(count) running pods", timeout: timeout) {
            pods = owned(by: uid)
            return pods.count == count && pods.allSatisfy { $0.status?.phase == .running }
        }
        return pods
    }

    func rs(_ name: String) throws -> ReplicaSet {
        try harness.client.getObject(ReplicaSet.self, namespace: "default", name: name)
    }

    func scale(_ name: String, to replicas: Int32) throws {
        var current = try rs(name)
        current.spec.replicas = replicas
        _ = try harness.client.replaceObject(current)
    }

    func testReplicaSetReplacesReleasesAndScales() throws {
        let created = try harness.client.createObject(replicaSet("web", replicas: 3))
        let uid = try XCTUnwrap(created.metadata.uid)
        let first = try waitForRunningPods(of: uid, count: 3, "initial")
        for pod in first {
            XCTAssertEqual(pod.metadata.labels?["app"], "web")
            XCTAssertTrue(pod.name.hasPrefix("web-"), pod.name)
            XCTAssertEqual(pod.metadata.ownerReferences?.first?.kind, "ReplicaSet")
        }
        try harness.waitFor("status.readyReplicas 3", timeout: 30) { (try? self.rs("web").status?.readyReplicas) == 3 }

        // A deleted pod is replaced.
        let victim = first[0]
        _ = try harness.client.deletePod(namespace: "default", name: victim.name, gracePeriodSeconds: 0)
        let afterDelete = try waitForRunningPods(of: uid, count: 3, "replacement after delete")
        XCTAssertFalse(afterDelete.map(\.uid).contains(victim.uid))

        // A pod relabelled out of the selector is released and replaced, and keeps running.
        var relabelled = try harness.client.getPod(namespace: "default", name: afterDelete[0].name)
        relabelled.metadata.labels = ["app": "debugging"]
        _ = try harness.client.replacePod(relabelled)
        _ = try harness.waitForPod(relabelled.name, "released (no controller reference)") { $0.metadata.ownerReferences == nil }
        let afterRelabel = try waitForRunningPods(of: uid, count: 3, "replacement after relabel")
        XCTAssertFalse(afterRelabel.map(\.uid).contains(relabelled.uid))
        XCTAssertEqual(harness.pod(relabelled.name)?.status?.phase, .running)
        _ = try harness.client.deletePod(namespace: "default", name: relabelled.name, gracePeriodSeconds: 0)

        try scale("web", to: 5)
        try waitForRunningPods(of: uid, count: 5, "scaled to 5")
        try scale("web", to: 1)
        let one = try waitForRunningPods(of: uid, count: 1, "scaled to 1")
        // Scale-down deletes the newest first: the survivor is one of the oldest pods.
        let oldest = afterRelabel.map { $0.metadata.creationTimestamp?.date ?? .distantFuture }.min() ?? .distantFuture
        XCTAssertLessThanOrEqual(one[0].metadata.creationTimestamp?.date ?? .distantFuture, oldest)
        try harness.waitFor("status.replicas 1", timeout: 30) { (try? self.rs("web").status?.replicas) == 1 }
    }

    func testOrphanDeleteAdoptionAndCascade() throws {
        let first = try harness.client.createObject(replicaSet("orph", replicas: 2))
        let pods = try waitForRunningPods(of: first.metadata.uid, count: 2, "initial")

        // Orphan: the pods lose their controller reference and keep running.
        _ = try harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: "orph", propagationPolicy: "Orphan")
        for pod in pods {
            _ = try harness.waitForPod(pod.name, "orphaned") { $0.metadata.ownerReferences == nil }
        }
        XCTAssertTrue(pods.allSatisfy { harness.pod($0.name)?.status?.phase == .running })

        // A new set with the same selector adopts them instead of creating pods.
        let second = try harness.client.createObject(replicaSet("orph", replicas: 2))
        XCTAssertNotEqual(second.metadata.uid, first.metadata.uid)
        let adopted = try waitForRunningPods(of: second.metadata.uid, count: 2, "adopted")
        XCTAssertEqual(Set(adopted.map(\.uid)), Set(pods.map(\.uid)))
        try harness.waitFor("status.readyReplicas 2", timeout: 30) { (try? self.rs("orph").status?.readyReplicas) == 2 }
        XCTAssertEqual((try harness.client.listPods(namespace: "default").items).count, 2, "no extra pod was created")

        // Background cascade: deleting the set deletes its pods.
        _ = try harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: "orph")
        for pod in pods { try harness.waitForGone(pod.name) }
    }

    func testFileDefinedReplicaSetResumesAfterKill9WithoutDuplicates() throws {
        try harness.write(
            "rs.yaml",
            """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: filed}
            spec:
              replicas: 2
              selector: {matchLabels: {app: filed}}
              template:
                metadata: {labels: {app: filed}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: busybox, command: ["sleep", "3600"]}]
            """)
        var uid: String?
        try harness.waitFor("the ReplicaSet from the file", timeout: 30) {
            uid = try? self.rs("filed").metadata.uid
            return uid != nil
        }
        let before = try waitForRunningPods(of: uid, count: 2, "initial")

        harness.kill9()
        try harness.start()
        XCTAssertEqual(try rs("filed").metadata.uid, uid, "a file-defined object keeps its uid across restarts")
        try harness.waitFor("status.readyReplicas 2 after the restart", timeout: 30) { (try? self.rs("filed").status?.readyReplicas) == 2 }
        let after = try waitForRunningPods(of: uid, count: 2, "after restart")
        XCTAssertEqual(Set(after.map(\.uid)), Set(before.map(\.uid)), "the same pods, none added")
        XCTAssertEqual((try harness.client.listPods(namespace: "default").items).count, 2)

        // Removing the file removes the set, and the garbage collector its pods.
        try harness.remove("rs.yaml")
        for pod in before { try harness.waitForGone(pod.name) }
    }
}
