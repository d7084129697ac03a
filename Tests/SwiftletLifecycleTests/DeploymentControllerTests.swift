import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// The deployment controller's decisions against the Go controller's: fenceposts, hashing,
/// revisions, rolling and recreate steps, proportional scaling, history cleanup, conditions.
final class DeploymentControllerTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 2_000_000)

    func deployment(
        replicas: Int32 = 3, command: String = "a", surge: IntOrString? = .int(1), unavailable: IntOrString? = .int(0),
        recreate: Bool = false
    ) -> Deployment {
        var container = Container(name: "c", image: "busybox")
        container.command = ["sh", "-c", command]
        var d = Deployment(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "d-uid"),
            spec: .init(
                replicas: replicas, selector: WorkloadSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: PodSpec(containers: [container]))))
        d.spec.strategy = recreate ? .init(type: "Recreate") : .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: unavailable, maxSurge: surge))
        d.applyDefaults()
        d.metadata.generation = 1
        return d
    }

    /// A fake cluster: applies plans, and lets the ReplicaSets' pods become available at once.
    struct Cluster {
        var sets: [ReplicaSet] = []
        var clock = 0.0

        mutating func apply(_ plan: DeploymentPlan, to d: inout Deployment, base: Date) {
            for var rs in plan.create {
                clock += 1
                rs.metadata.uid = "uid-" + rs.name
                rs.metadata.creationTimestamp = KubeTime(base.addingTimeInterval(clock))
                rs.metadata.generation = 1
                sets.append(rs)
            }
            for (name, rs) in plan.update {
                guard let i = sets.firstIndex(where: { $0.name == name }) else { continue }
                let status = sets[i].status
                sets[i] = rs
                sets[i].status = status
            }
            sets.removeAll { plan.delete.contains($0.name) }
            if let updated = plan.deployment { d = updated }
        }

        /// Every set's pods exist; `available` says whether they become available.
        mutating func settle(available: (ReplicaSet) -> Bool = { _ in true }) {
            for i in sets.indices {
                var status = ReplicaSet.Status()
                status.replicas = sets[i].replicas
                status.readyReplicas = available(sets[i]) ? sets[i].replicas : 0
                status.availableReplicas = status.readyReplicas
                status.observedGeneration = sets[i].metadata.generation
                sets[i].status = status
            }
        }

        func replicas() -> [Int32] { sets.map(\.replicas) }
    }

    func testFencepostsRoundSurgeUpAndUnavailableDown() {
        let rows: [(Int32, IntOrString, IntOrString, Int32, Int32)] = [
            (10, .string("25%"), .string("25%"), 3, 2),
            (3, .string("25%"), .string("25%"), 1, 0),  // 0.75: up to 1, down to 0
            (1, .string("25%"), .string("25%"), 1, 0),
            (4, .int(0), .string("10%"), 0, 1),  // both resolve to 0: unavailable becomes 1
            (5, .int(2), .int(1), 2, 1),
            (5, .string("100%"), .int(0), 5, 0),
        ]
        for (replicas, surge, unavailable, wantSurge, wantUnavailable) in rows {
            let d = deployment(replicas: replicas, surge: surge, unavailable: unavailable)
            XCTAssertEqual(DeploymentController.maxSurge(d), wantSurge, "\(replicas) \(surge)")
            XCTAssertEqual(DeploymentController.maxUnavailable(d), wantUnavailable, "\(replicas) \(unavailable)")
        }
        XCTAssertEqual(DeploymentController.maxUnavailable(deployment(replicas: 2, surge: .int(0), unavailable: .int(5))), 2)
        XCTAssertEqual(DeploymentController.maxSurge(deployment(recreate: true)), 0)
    }

    func testDefaults() {
        var d = Deployment(metadata: ObjectMeta(name: "x"), spec: .init())
        d.applyDefaults()
        XCTAssertEqual(d.spec.replicas, 1)
        XCTAssertEqual(d.spec.strategy, .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: .string("25%"), maxSurge: .string("25%"))))
        XCTAssertEqual(d.spec.revisionHistoryLimit, 10)
        XCTAssertEqual(d.spec.progressDeadlineSeconds, 600)
    }

    func testValidationMessages() {
        func errors(_ change: (inout Deployment) -> Void) -> [String] {
            var d = deployment()
            change(&d)
            return d.validate().map(\.description)
        }
        XCTAssertEqual(errors { _ in }, [])
        XCTAssertEqual(
            errors { $0.spec.strategy?.rollingUpdate = .init(maxUnavailable: .int(0), maxSurge: .string("0%")) },
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"])
        XCTAssertEqual(
            errors { $0.spec.strategy?.rollingUpdate?.maxSurge = .string("ten") },
            ["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"ten\": must be an integer or percentage (e.g '5%')"])
        XCTAssertEqual(
            errors { $0.spec.strategy?.rollingUpdate?.maxUnavailable = .string("150%") },
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"])
        XCTAssertEqual(
            errors { $0.spec.strategy = .init(type: "Recreate", rollingUpdate: .init()) },
            ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"])
        XCTAssertEqual(
            errors { $0.spec.strategy = .init(type: "BlueGreen") },
            ["spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\""])
        XCTAssertEqual(
            errors { $0.spec.template?.metadata?.labels = ["app": "db"] },
            ["spec.template.metadata.labels: Invalid value: \"map[app:db]\": `selector` does not match template `labels`"])
        XCTAssertEqual(
            errors { $0.spec.template?.spec.restartPolicy = .never },
            ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""])
        XCTAssertEqual(
            errors {
                $0.spec.minReadySeconds = 10
                $0.spec.progressDeadlineSeconds = 10
            }, ["spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"])
        XCTAssertEqual(errors { $0.spec.revisionHistoryLimit = -1 }, ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"])
        XCTAssertEqual(errors { $0.spec.selector = nil }.first, "spec.selector: Required value")
        var changed = deployment()
        changed.spec.selector = WorkloadSelector(matchLabels: ["app": "other"])
        XCTAssertEqual(
            changed.validateUpdate(from: deployment()).map(\.description),
            ["spec.selector: Invalid value: \"map[app:other]\": field is immutable"])
    }

    func testPodTemplateHashIsStableSafeAndChangesWithTheCollisionCount() {
        XCTAssertEqual(DeploymentController.safeEncode("0123456789"), "456789bcdf")
        let t = deployment().spec.template!
        let h = DeploymentController.podTemplateHash(t, collisionCount: nil)
        XCTAssertEqual(h, DeploymentController.podTemplateHash(t, collisionCount: nil))
        XCTAssertTrue(h.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) }, h)
        XCTAssertNotEqual(h, DeploymentController.podTemplateHash(t, collisionCount: 1))
        XCTAssertNotEqual(h, DeploymentController.podTemplateHash(deployment(command: "b").spec.template!, collisionCount: nil))
    }

    func testFirstSyncCreatesRevisionOneAtFullScale() {
        let d = deployment()
        let plan = DeploymentController.plan(d, replicaSets: [], pods: [], now: now)
        XCTAssertEqual(plan.create.count, 1)
        let rs = plan.create[0]
        let hash = DeploymentController.podTemplateHash(d.spec.template!, collisionCount: nil)
        XCTAssertEqual(rs.name, "web-" + hash)
        XCTAssertEqual(rs.replicas, 3)
        XCTAssertEqual(rs.spec.selector?.matchLabels, ["app": "web", "pod-template-hash": hash])
        XCTAssertEqual(rs.spec.template?.metadata?.labels?["pod-template-hash"], hash)
        XCTAssertEqual(rs.metadata.annotations?[DeploymentAnnotations.revision], "1")
        XCTAssertEqual(rs.metadata.annotations?[DeploymentAnnotations.desiredReplicas], "3")
        XCTAssertEqual(rs.metadata.annotations?[DeploymentAnnotations.maxReplicas], "4")
        XCTAssertEqual(rs.metadata.ownerReferences?.first?.uid, "d-uid")
        XCTAssertTrue(rs.validate().isEmpty, "\(rs.validate())")
        let written = plan.deployment
        XCTAssertEqual(written?.metadata.annotations?[DeploymentAnnotations.revision], "1")
        XCTAssertEqual(written?.status?.condition("Progressing")?.reason, "NewReplicaSetCreated")
        XCTAssertEqual(written?.status?.condition("Progressing")?.message, "Created new replica set \"\(rs.name)\"")
        XCTAssertEqual(written?.status?.condition("Available")?.reason, "MinimumReplicasUnavailable")
    }

    /// Runs syncs until nothing changes; returns every intermediate (total, available) count.
    func converge(_ d: inout Deployment, _ cluster: inout Cluster, pods: [Pod] = [], available: (ReplicaSet) -> Bool = { _ in true }) -> [[Int32]] {
        var steps: [[Int32]] = []
        for _ in 0..<50 {
            let plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: pods, now: now)
            let before = cluster.sets
            let beforeD = d
            cluster.apply(plan, to: &d, base: now)
            cluster.settle(available: available)
            steps.append(cluster.replicas())
            if cluster.sets == before && d == beforeD { break }
        }
        return steps
    }

    func testRollingUpdateSurgeOneUnavailableZeroNeverDropsBelowReplicas() {
        var d = deployment()
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        XCTAssertEqual(cluster.replicas(), [3])
        XCTAssertEqual(d.status?.condition("Progressing")?.reason, "NewReplicaSetAvailable")
        XCTAssertEqual(d.status?.condition("Available")?.reason, "MinimumReplicasAvailable")

        d.spec.template = deployment(command: "b").spec.template
        d.metadata.generation = 2
        let steps = converge(&d, &cluster)
        // Surge 1 / unavailable 0: +1 new, -1 old, ... never more than 4 nor fewer than 3.
        XCTAssertEqual(steps.prefix(6).map { $0 }, [[3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3]])
        for step in steps { XCTAssertGreaterThanOrEqual(step.reduce(0, +), 3) }
        XCTAssertEqual(cluster.sets[1].metadata.annotations?[DeploymentAnnotations.revision], "2")
        XCTAssertEqual(d.metadata.annotations?[DeploymentAnnotations.revision], "2")
        XCTAssertEqual(d.status?.updatedReplicas, 3)
        XCTAssertEqual(d.status?.replicas, 3)
        XCTAssertEqual(d.status?.observedGeneration, 2)
        XCTAssertEqual(d.status?.condition("Progressing")?.reason, "NewReplicaSetAvailable")
        XCTAssertEqual(d.status?.condition("Progressing")?.message, "ReplicaSet \"\(cluster.sets[1].name)\" has successfully progressed.")
    }

    func testRollingUpdateUnavailableFirst() {
        var d = deployment(replicas: 4, surge: .int(0), unavailable: .int(2))
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        d.spec.template = deployment(command: "b").spec.template
        let steps = converge(&d, &cluster)
        // The new set is created empty and the old one scaled down in the same sync.
        XCTAssertEqual(steps.prefix(4).map { $0 }, [[2, 0], [2, 2], [0, 2], [0, 4]])
        XCTAssertEqual(cluster.replicas(), [0, 4])
    }

    func testRecreateWaitsForOldPodsBeforeScalingUp() {
        var d = deployment(recreate: true)
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        let oldUID = cluster.sets[0].metadata.uid!
        d.spec.template = deployment(command: "b", recreate: true).spec.template
        // Old scaled to 0 first; the new set is not created while an old pod is still running.
        var plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.update.values.map(\.replicas), [0])
        cluster.apply(plan, to: &d, base: now)
        cluster.settle()
        var lingering = Pod(metadata: ObjectMeta(name: "old", namespace: "default", uid: "p"), spec: PodSpec(containers: []))
        lingering.metadata.ownerReferences = [.controllerRef(apiVersion: "apps/v1", kind: "ReplicaSet", name: "old", uid: oldUID)]
        lingering.status = PodStatus()
        lingering.status?.phase = .running
        plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [lingering], now: now)
        XCTAssertEqual(plan.create, [])
        lingering.status?.phase = .succeeded
        plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [lingering], now: now)
        XCTAssertEqual(plan.create.map(\.replicas), [3])
    }

    func testRollbackReusesTheOldReplicaSetAsTheNewestRevision() {
        var d = deployment()
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        let a = d.spec.template
        d.spec.template = deployment(command: "b").spec.template
        _ = converge(&d, &cluster)
        XCTAssertEqual(DeploymentController.rollbackTarget(d, replicaSets: cluster.sets, toRevision: 5), .failure(.revisionNotFound(5)))
        XCTAssertEqual(DeploymentController.rollbackTarget(d, replicaSets: cluster.sets, toRevision: 2), .failure(.alreadyMatches(2)))
        guard case .success(let target) = DeploymentController.rollbackTarget(d, replicaSets: cluster.sets, toRevision: 0) else {
            return XCTFail("no rollback target")
        }
        XCTAssertEqual(target.name, cluster.sets[0].name)
        d = DeploymentController.rolledBack(d, to: target)
        XCTAssertEqual(d.spec.template, a)
        _ = converge(&d, &cluster)
        XCTAssertEqual(cluster.sets.count, 2, "no new set")
        XCTAssertEqual(cluster.replicas(), [3, 0])
        XCTAssertEqual(cluster.sets[0].metadata.annotations?[DeploymentAnnotations.revision], "3")
        XCTAssertEqual(cluster.sets[0].metadata.annotations?[DeploymentAnnotations.revisionHistory], "1")
        XCTAssertEqual(d.metadata.annotations?[DeploymentAnnotations.revision], "3")
    }

    func testScalingDuringARolloutIsProportionalAndCreatesNoRevision() {
        var d = deployment(replicas: 10, surge: .int(3), unavailable: .int(2))
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        d.spec.template = deployment(command: "b").spec.template
        // One step of the rollout, with the new pods never available: old 8, new 5 (10+3).
        _ = converge(&d, &cluster) { $0.metadata.annotations?[DeploymentAnnotations.revision] == "1" }
        XCTAssertEqual(cluster.replicas(), [8, 5])
        d.spec.replicas = 20
        let plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertEqual(plan.create, [])
        cluster.apply(plan, to: &d, base: now)
        // 13 -> 23: 8*23/13 = 14.15 -> 14, 5*23/13 = 8.8 -> 9.
        XCTAssertEqual(cluster.replicas(), [14, 9])
        XCTAssertTrue(cluster.sets.allSatisfy { $0.metadata.annotations?[DeploymentAnnotations.desiredReplicas] == "20" })
    }

    func testPausedScalesButDoesNotRollOut() {
        var d = deployment()
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        d.spec.paused = true
        d.spec.template = deployment(command: "b").spec.template
        d.spec.replicas = 5
        _ = converge(&d, &cluster)
        XCTAssertEqual(cluster.replicas(), [5])
        XCTAssertEqual(d.status?.condition("Progressing")?.reason, "DeploymentPaused")
        XCTAssertEqual(d.status?.condition("Progressing")?.status, "Unknown")
        d.spec.paused = false
        let plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertEqual(plan.create.count, 1)
        XCTAssertEqual(plan.deployment?.status?.condition("Progressing")?.reason, "NewReplicaSetCreated")
        var resumed = d
        _ = converge(&resumed, &cluster)
        XCTAssertEqual(cluster.replicas(), [0, 5])
    }

    func testProgressDeadlineExceeded() {
        var d = deployment()
        d.spec.progressDeadlineSeconds = 5
        var cluster = Cluster()
        _ = converge(&d, &cluster) { _ in false }
        // The pods were created (updatedReplicas rose): progress, which restarts the deadline.
        XCTAssertEqual(d.status?.condition("Progressing")?.reason, "ReplicaSetUpdated")
        let later = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now.addingTimeInterval(6))
        let cond = later.deployment?.status?.condition("Progressing")
        XCTAssertEqual(cond?.reason, "ProgressDeadlineExceeded")
        XCTAssertEqual(cond?.status, "False")
        XCTAssertEqual(cond?.message, "ReplicaSet \"\(cluster.sets[0].name)\" has timed out progressing.")
        XCTAssertEqual(later.deployment?.status?.condition("Available")?.reason, "MinimumReplicasUnavailable")
    }

    /// `getReplicaFailures`: the new ReplicaSet's ReplicaFailure (else an old one's) becomes the
    /// Deployment's, with its times; it goes when no ReplicaSet has one; a paused Deployment's
    /// status sync leaves it as it was.
    func testReplicaFailureIsMirroredFromTheReplicaSets() throws {
        var d = deployment()
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        XCTAssertNil(d.status?.condition(Deployment.Condition.replicaFailure))
        let failedAt = KubeTime(now.addingTimeInterval(-30))
        func fail(_ index: Int, _ message: String) {
            cluster.sets[index].status?.conditions = [
                ReplicaSet.Condition(
                    type: ReplicaSet.Condition.replicaFailure, status: .true, lastTransitionTime: failedAt, reason: "FailedCreate",
                    message: message)
            ]
        }
        fail(0, "pods \"web-x\" is invalid: old")
        let plan = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        let mirrored = try XCTUnwrap(plan.deployment?.status?.condition(Deployment.Condition.replicaFailure))
        XCTAssertEqual(mirrored.status, "True")
        XCTAssertEqual(mirrored.reason, "FailedCreate")
        XCTAssertEqual(mirrored.message, "pods \"web-x\" is invalid: old")
        XCTAssertEqual(mirrored.lastTransitionTime, failedAt)
        XCTAssertEqual(mirrored.lastUpdateTime, failedAt)
        XCTAssertEqual(plan.deployment?.status?.conditions?.last?.type, Deployment.Condition.replicaFailure, "appended last")
        d = try XCTUnwrap(plan.deployment)

        // A rollout: the new ReplicaSet's failure wins over the old one's.
        d.spec.template = deployment(command: "b").spec.template
        d.metadata.generation = 2
        let rollout = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        cluster.apply(rollout, to: &d, base: now)
        XCTAssertEqual(cluster.sets.count, 2)
        let newIndex = try XCTUnwrap(cluster.sets.firstIndex { $0.metadata.annotations?[DeploymentAnnotations.revision] == "2" })
        cluster.sets[newIndex].status = ReplicaSet.Status()
        fail(newIndex, "pods \"web-y\" is invalid: new")
        var next = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        // The same status and reason: SetDeploymentCondition keeps the old message, as in Go.
        XCTAssertEqual((next.deployment ?? d).status?.condition(Deployment.Condition.replicaFailure)?.message, "pods \"web-x\" is invalid: old")
        var without = d
        without.status?.conditions?.removeAll { $0.type == Deployment.Condition.replicaFailure }
        next = DeploymentController.plan(without, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertEqual(next.deployment?.status?.condition(Deployment.Condition.replicaFailure)?.message, "pods \"web-y\" is invalid: new")

        // Paused: the status sync copies the conditions and does not look at the ReplicaSets.
        for i in cluster.sets.indices { cluster.sets[i].status?.conditions = nil }
        var paused = d
        paused.spec.paused = true
        let pausedPlan = DeploymentController.plan(paused, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertEqual(
            (pausedPlan.deployment ?? paused).status?.condition(Deployment.Condition.replicaFailure)?.message, "pods \"web-x\" is invalid: old")
        // Resumed with no failure left: removed.
        let cleared = DeploymentController.plan(d, replicaSets: cluster.sets, pods: [], now: now)
        XCTAssertNil(cleared.deployment?.status?.condition(Deployment.Condition.replicaFailure))
        XCTAssertNotNil(cleared.deployment, "the status changed")
    }

    func testRevisionHistoryLimitDeletesTheOldestEmptySets() {
        var d = deployment(replicas: 1)
        d.spec.revisionHistoryLimit = 1
        var cluster = Cluster()
        for command in ["a", "b", "c", "d"] {
            d.spec.template = deployment(command: command).spec.template
            _ = converge(&d, &cluster)
        }
        XCTAssertEqual(cluster.sets.count, 2)
        XCTAssertEqual(cluster.sets.map { $0.metadata.annotations?[DeploymentAnnotations.revision] }, ["3", "4"])
    }

    func testClaimAdoptsOrphansAndIgnoresForeignSets() {
        var d = deployment()
        var cluster = Cluster()
        _ = converge(&d, &cluster)
        var orphan = cluster.sets[0]
        orphan.metadata.ownerReferences = nil
        var foreign = orphan
        foreign.metadata.name = "other"
        foreign.metadata.ownerReferences = [.controllerRef(apiVersion: "apps/v1", kind: "Deployment", name: "x", uid: "x")]
        let plan = DeploymentController.plan(d, replicaSets: [orphan, foreign], pods: [], now: now)
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.update[orphan.name]?.metadata.ownerReferences?.first?.uid, "d-uid")
        XCTAssertNil(plan.update["other"])
    }
}
