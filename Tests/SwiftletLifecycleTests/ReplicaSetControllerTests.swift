import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// The ReplicaSet controller's claim, diff, ranking and status decisions, as tables.
final class ReplicaSetControllerTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func replicaSet(_ replicas: Int32, minReady: Int32 = 0) -> ReplicaSet {
        var rs = ReplicaSet(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "rs-uid"),
            spec: .init(
                replicas: replicas, selector: WorkloadSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "web", "tier": "fe"]),
                    spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))))
        rs.spec.minReadySeconds = minReady
        return rs
    }

    func pod(
        _ name: String, labels: [String: String] = ["app": "web", "tier": "fe"], owner: String? = "rs-uid",
        phase: PodPhase = .running, readyAgo: TimeInterval? = 100, createdAgo: TimeInterval = 1000, restarts: Int32 = 0,
        deleting: Bool = false, cost: Int32? = nil
    ) -> Pod {
        var meta = ObjectMeta(name: name, namespace: "default", uid: name, labels: labels)
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-createdAgo))
        if let owner { meta.ownerReferences = [.controllerRef(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: owner)] }
        if deleting { meta.deletionTimestamp = KubeTime(now) }
        if let cost { meta.annotations = ["controller.kubernetes.io/pod-deletion-cost": String(cost)] }
        var status = PodStatus()
        status.phase = phase
        status.conditions = [
            PodCondition(
                type: .ready, status: readyAgo == nil ? .false : .true,
                lastTransitionTime: KubeTime(now.addingTimeInterval(-(readyAgo ?? 1))))
        ]
        status.containerStatuses = [ContainerStatus(name: "c", state: ContainerState(), restartCount: restarts)]
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "busybox")]), status: status)
    }

    func testCreatesTheMissingReplicas() {
        let plan = ReplicaSetController.plan(replicaSet(3), pods: [pod("a")], now: now)
        XCTAssertEqual(plan.create, 2)
        XCTAssertEqual(plan.delete, [])
        XCTAssertEqual(plan.status.replicas, 1)
    }

    func testClaimAdoptsMatchingOrphansReleasesMismatchesIgnoresOthers() {
        let pods = [
            pod("owned"),
            pod("orphan", owner: nil),
            pod("relabelled", labels: ["app": "other"]),
            pod("foreign", owner: "other-uid"),
            pod("orphan-deleting", owner: nil, deleting: true),
            pod("orphan-mismatch", labels: ["app": "db"], owner: nil),
        ]
        let plan = ReplicaSetController.plan(replicaSet(3), pods: pods, now: now)
        XCTAssertEqual(plan.adopt, ["orphan"])
        XCTAssertEqual(plan.release, ["relabelled"])
        // owned + orphan are active; one more is needed.
        XCTAssertEqual(plan.create, 1)
        XCTAssertEqual(plan.status.replicas, 2)
    }

    func testFinishedAndTerminatingPodsAreReplaced() {
        let pods = [pod("a"), pod("failed", phase: .failed), pod("going", deleting: true)]
        XCTAssertEqual(ReplicaSetController.plan(replicaSet(3), pods: pods, now: now).create, 2)
    }

    /// `ActivePods` ordering: pending < running, not ready < ready, lower deletion cost,
    /// more recently ready, more restarts, newer.
    func testScaleDownRanking() {
        let cases: [(String, [Pod], [String])] = [
            ("pending before running", [pod("run"), pod("pend", phase: .pending, readyAgo: nil)], ["pend"]),
            ("not ready before ready", [pod("ready"), pod("unready", readyAgo: nil)], ["unready"]),
            ("lower deletion cost first", [pod("cheap", cost: -5), pod("dear", cost: 10)], ["cheap"]),
            ("more recently ready first", [pod("long", readyAgo: 500), pod("recent", readyAgo: 5)], ["recent"]),
            ("more restarts first", [pod("calm"), pod("crashy", restarts: 4)], ["crashy"]),
            ("newer first", [pod("old", createdAgo: 900), pod("new", createdAgo: 10)], ["new"]),
        ]
        for (name, pods, expected) in cases {
            let plan = ReplicaSetController.plan(replicaSet(Int32(pods.count - 1)), pods: pods, now: now)
            XCTAssertEqual(plan.delete, expected, name)
            XCTAssertEqual(plan.create, 0, name)
        }
        let five = (1...5).map { pod("p\($0)", createdAgo: TimeInterval($0 * 10)) }
        XCTAssertEqual(ReplicaSetController.plan(replicaSet(1), pods: five, now: now).delete, ["p1", "p2", "p3", "p4"])
    }

    func testStatusCountsReadyAvailableAndFullyLabeled() {
        let pods = [
            pod("a", readyAgo: 100),
            pod("b", readyAgo: 2),
            pod("c", readyAgo: nil),
            pod("d", labels: ["app": "web"]),  // matches the selector, lacks the template's tier label
        ]
        let status = ReplicaSetController.plan(replicaSet(4, minReady: 10), pods: pods, now: now).status
        XCTAssertEqual(status.replicas, 4)
        XCTAssertEqual(status.fullyLabeledReplicas, 3)
        XCTAssertEqual(status.readyReplicas, 3)
        XCTAssertEqual(status.availableReplicas, 2)
    }

    func testPodFromTemplateCarriesLabelsAndControllerReference() {
        let rs = replicaSet(1)
        let pod = ReplicaSetController.pod(
            from: rs.spec.template!, owner: ReplicaSetController.ownerReference(rs), namespace: "default")
        XCTAssertEqual(pod.metadata.generateName, "web-")
        XCTAssertEqual(pod.metadata.labels, ["app": "web", "tier": "fe"])
        XCTAssertEqual(pod.metadata.ownerReferences?.first?.controller, true)
        XCTAssertEqual(pod.metadata.ownerReferences?.first?.uid, "rs-uid")
        XCTAssertEqual(pod.metadata.ownerReferences?.first?.kind, "ReplicaSet")
    }

    func testReplicaFailureConditionIsSetOnceAndClearedBySyncWithoutErrors() {
        let plain = ReplicaSet.Status()
        let failed = ReplicaSetController.withReplicaFailure(plain, error: "pods \"web-x\" is forbidden", missingPods: true, now: now)
        XCTAssertEqual(
            failed.conditions,
            [.init(type: "ReplicaFailure", status: .true, lastTransitionTime: KubeTime(now), reason: "FailedCreate", message: "pods \"web-x\" is forbidden")])
        let again = ReplicaSetController.withReplicaFailure(failed, error: "other", missingPods: true, now: now.addingTimeInterval(5))
        XCTAssertEqual(again.conditions, failed.conditions, "an existing condition is kept as it is")
        XCTAssertEqual(ReplicaSetController.withReplicaFailure(plain, error: "x", missingPods: false, now: now).conditions?.first?.reason, "FailedDelete")
        XCTAssertNil(ReplicaSetController.withReplicaFailure(failed, error: nil, missingPods: false, now: now).conditions)
        // The plan's status carries the stored conditions on.
        var rs = replicaSet(1)
        rs.status = failed
        XCTAssertEqual(ReplicaSetController.plan(rs, pods: [pod("a")], now: now).status.conditions, failed.conditions)
    }
}
