import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// The DaemonSet controller's decisions for one node, as tables checked against
/// `pkg/controller/daemon` (`podsShouldBeOnNode`, `rollingUpdate`, `constructHistory`,
/// `updateDaemonSetStatus`).
final class DaemonSetControllerTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let node = NodeIdentity(name: "n1", labels: ["kubernetes.io/hostname": "n1", "disk": "ssd"])

    func daemonSet(
        command: String = "a", nodeSelector: [String: String]? = nil, strategy: DaemonSet.UpdateStrategy? = nil, minReady: Int32 = 0
    ) -> DaemonSet {
        var spec = PodSpec(containers: [Container(name: "c", image: "busybox", command: [command])])
        spec.nodeSelector = nodeSelector
        var ds = DaemonSet(
            metadata: ObjectMeta(name: "agent", namespace: "default", uid: "ds-uid"),
            spec: .init(
                selector: WorkloadSelector(matchLabels: ["app": "agent"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "agent"]), spec: spec), updateStrategy: strategy))
        ds.spec.minReadySeconds = minReady
        ds.applyDefaults()
        ds.metadata.generation = 3
        return ds
    }

    /// The revision the controller made for `ds`'s template, and its hash.
    func revision(of ds: DaemonSet, number: Int64 = 1) -> (ControllerRevision, String) {
        let history = DaemonSetController.history(ds, revisions: [])
        guard var revision = history.create else { fatalError("no revision for a template") }
        revision.revision = number
        revision.metadata.uid = "rev-\(number)"
        return (revision, history.hash)
    }

    func pod(
        _ name: String, hash: String, ready: Bool = true, readyAgo: TimeInterval = 100, createdAgo: TimeInterval = 1000,
        phase: PodPhase = .running, deleting: Bool = false, owner: String? = "ds-uid"
    ) -> Pod {
        var meta = ObjectMeta(name: name, namespace: "default", uid: name, labels: ["app": "agent", DaemonSet.revisionHashLabel: hash])
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-createdAgo))
        if let owner { meta.ownerReferences = [.controllerRef(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: owner)] }
        if deleting { meta.deletionTimestamp = KubeTime(now) }
        var status = PodStatus()
        status.phase = phase
        status.conditions = [
            PodCondition(type: .ready, status: ready ? .true : .false, lastTransitionTime: KubeTime(now.addingTimeInterval(-readyAgo)))
        ]
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "busybox")]), status: status)
    }

    // MARK: placement and creation

    func testCreatesOnePodWithTheDaemonLabelsTolerationsAndNodeAffinity() throws {
        let ds = daemonSet()
        let plan = DaemonSetController.plan(ds, node: node, pods: [], revisions: [], now: now)
        let created = try XCTUnwrap(plan.create)
        let revision = try XCTUnwrap(plan.createRevision)
        XCTAssertEqual(revision.name, "agent-\(plan.hash)")
        XCTAssertEqual(revision.revision, 1)
        XCTAssertEqual(revision.daemonSetTemplate, ds.spec.template)
        XCTAssertEqual(revision.metadata.labels?[DaemonSet.revisionHashLabel], plan.hash)
        XCTAssertEqual(created.metadata.generateName, "agent-")
        XCTAssertEqual(
            created.metadata.labels, ["app": "agent", "controller-revision-hash": plan.hash, "pod-template-generation": "1"])
        XCTAssertEqual(created.metadata.ownerReferences, [.controllerRef(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "ds-uid")])
        XCTAssertEqual(
            created.spec.tolerations?.map { "\($0.key ?? ""):\($0.effect ?? ""):\($0.operator ?? "")" },
            [
                "node.kubernetes.io/not-ready:NoExecute:Exists", "node.kubernetes.io/unreachable:NoExecute:Exists",
                "node.kubernetes.io/disk-pressure:NoSchedule:Exists", "node.kubernetes.io/memory-pressure:NoSchedule:Exists",
                "node.kubernetes.io/pid-pressure:NoSchedule:Exists", "node.kubernetes.io/unschedulable:NoSchedule:Exists",
            ])
        XCTAssertEqual(
            created.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
            [NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["n1"])])])
        XCTAssertTrue(created.spec.matchesNode(node))
        XCTAssertEqual(plan.delete, [])
        XCTAssertEqual(plan.status.desiredNumberScheduled, 1)
        XCTAssertEqual(plan.status.currentNumberScheduled, 0)
        XCTAssertEqual(plan.status.numberUnavailable, 1)
        XCTAssertEqual(plan.status.observedGeneration, 3)
    }

    func testHostNetworkPodsAlsoTolerateAnUnavailableNetworkAndExistingTolerationsAreReplaced() {
        var spec = PodSpec(containers: [])
        spec.hostNetwork = true
        spec.tolerations = [Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute"), Toleration(key: "x")]
        let tolerations = DaemonSetController.daemonTolerations(spec).map { $0.key ?? "" }
        XCTAssertEqual(
            tolerations,
            [
                "node.kubernetes.io/unreachable", "x", "node.kubernetes.io/not-ready", "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
                "node.kubernetes.io/network-unavailable",
            ])
    }

    func testNodeSelectorDecidesWhetherThePodRunsHere() {
        let cases: [(selector: [String: String]?, templateNode: String?, runs: Bool)] = [
            (nil, nil, true),
            (["disk": "ssd"], nil, true),
            (["disk": "hdd"], nil, false),
            (["disk": "ssd", "gpu": "yes"], nil, false),
            (nil, "n1", true),
            (nil, "other", false),
        ]
        for c in cases {
            var ds = daemonSet(nodeSelector: c.selector)
            ds.spec.template?.spec.nodeName = c.templateNode
            XCTAssertEqual(DaemonSetController.shouldRun(ds, on: node), c.runs, "\(c)")
        }
    }

    func testAPodThatShouldNotRunIsDeletedAndCountsAsMisscheduled() {
        let ds = daemonSet(nodeSelector: ["disk": "hdd"])
        let (rev, hash) = revision(of: ds)
        let plan = DaemonSetController.plan(ds, node: node, pods: [pod("p", hash: hash)], revisions: [rev], now: now)
        XCTAssertNil(plan.create)
        XCTAssertEqual(plan.delete, ["p"])
        XCTAssertEqual(plan.status.desiredNumberScheduled, 0)
        XCTAssertEqual(plan.status.numberMisscheduled, 1)
        XCTAssertEqual(plan.status.numberUnavailable, 0)
        let none = DaemonSetController.plan(ds, node: node, pods: [], revisions: [rev], now: now)
        XCTAssertNil(none.create)
        XCTAssertEqual(none.delete, [])
    }

    // MARK: manage

    func testFailedPodsAreDeletedWithBackoffSucceededOnesAlwaysExtraOnesButTheOldest() {
        let ds = daemonSet()
        let (rev, hash) = revision(of: ds)
        let failed = DaemonSetController.plan(ds, node: node, pods: [pod("f", hash: hash, phase: .failed)], revisions: [rev], now: now)
        XCTAssertEqual(failed.delete, ["f"])
        XCTAssertTrue(failed.deletesFailedPod)
        XCTAssertNil(failed.create, "the failed pod is still there: the replacement comes once it is gone")
        XCTAssertEqual(failed.events.map(\.reason), ["FailedDaemonPod"])
        XCTAssertEqual(failed.events.first?.message, "Found failed daemon pod default/f on node n1, will try to kill it")

        let held = DaemonSetController.plan(
            ds, node: node, pods: [pod("f", hash: hash, phase: .failed)], revisions: [rev], now: now, failedPodBackoff: true)
        XCTAssertEqual(held.delete, [])

        let succeeded = DaemonSetController.plan(ds, node: node, pods: [pod("s", hash: hash, phase: .succeeded)], revisions: [rev], now: now)
        XCTAssertEqual(succeeded.delete, ["s"])
        XCTAssertEqual(succeeded.events.map(\.reason), ["SucceededDaemonPod"])

        let pods = [pod("young", hash: hash, createdAgo: 10), pod("old", hash: hash, createdAgo: 100), pod("mid", hash: hash, createdAgo: 50)]
        let extra = DaemonSetController.plan(ds, node: node, pods: pods, revisions: [rev], now: now)
        XCTAssertEqual(Set(extra.delete), ["young", "mid"])
    }

    func testNoNewPodWhileTheOldOneIsStillTerminatingWithoutSurge() {
        let ds = daemonSet()
        let (rev, hash) = revision(of: ds)
        let plan = DaemonSetController.plan(ds, node: node, pods: [pod("old", hash: hash, deleting: true)], revisions: [rev], now: now)
        XCTAssertNil(plan.create)
        XCTAssertEqual(plan.delete, [])
    }

    func testClaimAdoptsOrphansAndReleasesMismatches() {
        let ds = daemonSet()
        let (rev, hash) = revision(of: ds)
        var relabelled = pod("relabelled", hash: hash)
        relabelled.metadata.labels = ["app": "debug"]
        let plan = DaemonSetController.plan(ds, node: node, pods: [pod("orphan", hash: hash, owner: nil), relabelled], revisions: [rev], now: now)
        XCTAssertEqual(plan.adopt, ["orphan"])
        XCTAssertEqual(plan.release, ["relabelled"])
        XCTAssertNil(plan.create)
    }

    // MARK: rolling update

    func testRollingUpdateWithoutSurgeDeletesTheOldPodFirst() {
        let old = daemonSet(command: "a")
        let (oldRev, oldHash) = revision(of: old, number: 1)
        var ds = daemonSet(command: "b")
        ds.metadata.annotations?[DaemonSet.templateGenerationAnnotation] = "2"
        let plan = DaemonSetController.plan(ds, node: node, pods: [pod("old", hash: oldHash)], revisions: [oldRev], now: now)
        XCTAssertEqual(plan.createRevision?.revision, 2)
        XCTAssertNotEqual(plan.hash, oldHash)
        XCTAssertEqual(plan.delete, ["old"])
        XCTAssertNil(plan.create, "never two pods without surge")
        XCTAssertEqual(plan.status.updatedNumberScheduled, 0)
        XCTAssertEqual(plan.status.numberAvailable, 1)

        // The old pod terminating: nothing; gone: the new pod is created.
        let waiting = DaemonSetController.plan(ds, node: node, pods: [pod("old", hash: oldHash, deleting: true)], revisions: [oldRev], now: now)
        XCTAssertNil(waiting.create)
        XCTAssertEqual(waiting.delete, [])
        let gone = DaemonSetController.plan(ds, node: node, pods: [], revisions: [oldRev], now: now)
        XCTAssertEqual(gone.create?.metadata.labels?[DaemonSet.revisionHashLabel], gone.hash)
        XCTAssertEqual(gone.create?.metadata.labels?[DaemonSet.templateGenerationLabel], "2")
    }

    func testRollingUpdateWithSurgeCreatesFirstAndDeletesTheOldOnceTheNewIsAvailable() {
        let strategy = DaemonSet.UpdateStrategy(
            type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: .int(0), maxSurge: .int(1)))
        let old = daemonSet(command: "a", strategy: strategy, minReady: 5)
        let (oldRev, oldHash) = revision(of: old, number: 1)
        let ds = daemonSet(command: "b", strategy: strategy, minReady: 5)
        let (newRev, newHash) = revision(of: ds, number: 2)
        let revisions = [oldRev, newRev]

        let surge = DaemonSetController.plan(ds, node: node, pods: [pod("old", hash: oldHash)], revisions: revisions, now: now)
        XCTAssertEqual(surge.delete, [])
        XCTAssertEqual(surge.create?.metadata.labels?[DaemonSet.revisionHashLabel], newHash)

        let cases: [(newReady: Bool, readyAgo: TimeInterval, deletesOld: Bool)] = [
            (false, 100, false),  // new not ready: both stay
            (true, 2, false),  // ready for less than minReadySeconds: not available yet
            (true, 10, true),  // available: the old one goes
        ]
        for c in cases {
            let pods = [pod("old", hash: oldHash), pod("new", hash: newHash, ready: c.newReady, readyAgo: c.readyAgo, createdAgo: 20)]
            let plan = DaemonSetController.plan(ds, node: node, pods: pods, revisions: revisions, now: now)
            XCTAssertEqual(plan.delete, c.deletesOld ? ["old"] : [], "\(c)")
            XCTAssertNil(plan.create, "\(c)")
            XCTAssertEqual(plan.status.currentNumberScheduled, 1)
            XCTAssertEqual(plan.status.updatedNumberScheduled, 0, "the oldest pod is the one counted")
        }

        // An old pod that is not ready is replaced by the new one at once (manage, surging).
        let pods = [pod("old", hash: oldHash, ready: false), pod("new", hash: newHash, ready: false, createdAgo: 20)]
        XCTAssertEqual(DaemonSetController.plan(ds, node: node, pods: pods, revisions: revisions, now: now).delete, ["old"])
    }

    func testOnDeleteLeavesTheOldPodUntilItIsDeleted() {
        let strategy = DaemonSet.UpdateStrategy(type: "OnDelete")
        let old = daemonSet(command: "a", strategy: strategy)
        let (oldRev, oldHash) = revision(of: old, number: 1)
        let ds = daemonSet(command: "b", strategy: strategy)
        let plan = DaemonSetController.plan(ds, node: node, pods: [pod("old", hash: oldHash)], revisions: [oldRev], now: now)
        XCTAssertEqual(plan.delete, [])
        XCTAssertNil(plan.create)
        XCTAssertEqual(plan.status.updatedNumberScheduled, 0)
        let after = DaemonSetController.plan(ds, node: node, pods: [], revisions: [oldRev], now: now)
        XCTAssertEqual(after.create?.metadata.labels?[DaemonSet.revisionHashLabel], after.hash)
    }

    func testFencepostsRoundUpAndNeverBothZero() {
        let cases: [(unavailable: IntOrString, surge: IntOrString, expect: (Int, Int))] = [
            (.int(1), .int(0), (0, 1)),
            (.string("10%"), .int(0), (0, 1)),
            (.int(0), .int(1), (1, 0)),
            (.int(0), .string("50%"), (1, 0)),
            (.int(0), .int(0), (0, 1)),
        ]
        for c in cases {
            let ds = daemonSet(strategy: .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: c.unavailable, maxSurge: c.surge)))
            let (surge, unavailable) = DaemonSetController.fenceposts(ds, desired: 1)
            XCTAssertEqual(surge, c.expect.0, "\(c)")
            XCTAssertEqual(unavailable, c.expect.1, "\(c)")
        }
    }

    // MARK: history

    func testRollbackRaisesTheOldRevisionInsteadOfCreatingOne() {
        let a = daemonSet(command: "a")
        let (revA, hashA) = revision(of: a, number: 1)
        let (revB, _) = revision(of: daemonSet(command: "b"), number: 2)
        let plan = DaemonSetController.plan(a, node: node, pods: [], revisions: [revA, revB], now: now)
        XCTAssertNil(plan.createRevision)
        XCTAssertEqual(plan.updateRevision?.name, revA.name)
        XCTAssertEqual(plan.updateRevision?.revision, 3)
        XCTAssertEqual(plan.hash, hashA)
    }

    func testHistoryBeyondTheLimitGoesOldestFirstExceptRevisionsPodsRun() {
        var ds = daemonSet(command: "current")
        ds.spec.revisionHistoryLimit = 1
        let old = (1...3).map { revision(of: daemonSet(command: "v\($0)"), number: Int64($0)) }
        let plan = DaemonSetController.plan(
            ds, node: node, pods: [pod("p", hash: old[0].1)], revisions: old.map(\.0), now: now)
        XCTAssertEqual(plan.deleteRevisions, [old[1].0.name, old[2].0.name], "two too many; v1 still runs")
    }

    func testANameTakenByAnotherTemplateRaisesTheCollisionCount() {
        let ds = daemonSet(command: "a")
        var (taken, _) = revision(of: ds)
        taken.data = ControllerRevision.daemonSetData(daemonSet(command: "z").spec.template!)
        taken.metadata.ownerReferences = nil
        let plan = DaemonSetController.plan(ds, node: node, pods: [], revisions: [taken], now: now)
        XCTAssertNil(plan.createRevision)
        XCTAssertEqual(plan.status.collisionCount, 1)
        var bumped = ds
        bumped.status = DaemonSet.Status()
        bumped.status?.collisionCount = 1
        let next = DaemonSetController.plan(bumped, node: node, pods: [], revisions: [taken], now: now)
        XCTAssertNotNil(next.createRevision)
        XCTAssertNotEqual(next.createRevision?.name, taken.name)
    }

    // MARK: status

    func testStatusCountsTheOldestPod() {
        let ds = daemonSet(minReady: 30)
        let (rev, hash) = revision(of: ds)
        let cases: [(pods: [Pod], ready: Int32, available: Int32, updated: Int32)] = [
            ([pod("p", hash: hash, readyAgo: 100)], 1, 1, 1),
            ([pod("p", hash: hash, readyAgo: 10)], 1, 0, 1),
            ([pod("p", hash: hash, ready: false)], 0, 0, 1),
            ([pod("p", hash: "other", readyAgo: 100)], 1, 1, 0),
        ]
        for c in cases {
            let s = DaemonSetController.plan(ds, node: node, pods: c.pods, revisions: [rev], now: now).status
            XCTAssertEqual(s.currentNumberScheduled, 1)
            XCTAssertEqual(s.numberReady, c.ready, "\(c.pods.map(\.name))")
            XCTAssertEqual(s.numberAvailable, c.available)
            XCTAssertEqual(s.numberUnavailable, 1 - c.available)
            XCTAssertEqual(s.updatedNumberScheduled, c.updated)
        }
    }

    func testFailedPodBackoffDoublesToFifteenMinutes() {
        var backoff = FailedPodBackoff()
        XCTAssertFalse(backoff.inBackoff(now: 0))
        backoff.next(now: 0)
        XCTAssertTrue(backoff.inBackoff(now: 0.5))
        XCTAssertFalse(backoff.inBackoff(now: 1.5))
        backoff.next(now: 1.5)
        XCTAssertEqual(backoff.delay, 2)
        for _ in 0..<20 { backoff.next(now: 2) }
        XCTAssertEqual(backoff.delay, 900)
        backoff.next(now: 2 + 1801)
        XCTAssertEqual(backoff.delay, 1, "a long quiet period starts over")
    }

    // MARK: kubectl rollout

    func testRollbackTargetsAndRolloutStatusMessages() {
        let a = daemonSet(command: "a")
        let (revA, _) = revision(of: a, number: 1)
        let (revB, _) = revision(of: daemonSet(command: "b"), number: 2)
        var current = daemonSet(command: "b")
        XCTAssertEqual(try DaemonSetController.rollbackTarget(current, revisions: [revB, revA], toRevision: 0).get().revision, 1)
        XCTAssertEqual(DaemonSetController.rollbackTarget(current, revisions: [revB], toRevision: 0), .failure(.noLastRevision))
        XCTAssertEqual(DaemonSetController.rollbackTarget(current, revisions: [revA, revB], toRevision: 7), .failure(.revisionNotFound(7)))
        XCTAssertEqual(DaemonSetController.rollbackTarget(current, revisions: [revA, revB], toRevision: 2), .failure(.alreadyMatches(2)))

        current.metadata.generation = 2
        var status = DaemonSet.Status()
        status.observedGeneration = 1
        current.status = status
        func message(_ ds: DaemonSet) -> String { (try? DaemonSetController.rolloutStatus(ds).get().message) ?? "error" }
        XCTAssertEqual(message(current), "Waiting for daemon set spec update to be observed...\n")
        current.status?.observedGeneration = 2
        current.status?.desiredNumberScheduled = 1
        XCTAssertEqual(message(current), "Waiting for daemon set \"agent\" rollout to finish: 0 out of 1 new pods have been updated...\n")
        current.status?.updatedNumberScheduled = 1
        XCTAssertEqual(message(current), "Waiting for daemon set \"agent\" rollout to finish: 0 of 1 updated pods are available...\n")
        current.status?.numberAvailable = 1
        XCTAssertEqual(message(current), "daemon set \"agent\" successfully rolled out\n")
        current.spec.updateStrategy = .init(type: "OnDelete")
        XCTAssertEqual(
            DaemonSetController.rolloutStatus(current).map(\.done), .failure(.notRollingUpdate))
    }
}
