import Foundation
import SwiftletClient
import SwiftletKube
import SwiftletLifecycle
import XCTest

/// The DaemonSet controller with real pods: one pod on the node, replaced when deleted; the
/// nodeSelector against the node's labels (changed by a reload and by a restart); rolling updates
/// without and with surge; OnDelete; kill -9 of the agent in the middle of an update.
final class DaemonSetTests: IntegrationTestCase {
    override func tearDownWithError() throws {
        if let harness {
            for ds in (try? harness.client.listObjects(DaemonSet.self, namespace: "default")) ?? [] {
                _ = try? harness.client.deleteObject(DaemonSet.self, namespace: "default", name: ds.name)
            }
        }
        try super.tearDownWithError()
    }

    func daemonSet(
        _ name: String, command: String = "A", nodeSelector: [String: String]? = nil, strategy: DaemonSet.UpdateStrategy? = nil,
        grace: Int64 = 1
    ) -> DaemonSet {
        // The shell exits on TERM after `grace` - 1 seconds, so a deleted pod stays terminating a while.
        let script = "echo \(command); trap 'sleep \(max(grace - 1, 0)); exit 0' TERM; sleep 3600 & wait"
        var spec = PodSpec(containers: [Container(name: "main", image: "busybox", command: ["sh", "-c", script])])
        spec.terminationGracePeriodSeconds = grace
        spec.nodeSelector = nodeSelector
        return DaemonSet(
            metadata: ObjectMeta(name: name),
            spec: .init(
                selector: WorkloadSelector(matchLabels: ["app": name]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: spec), updateStrategy: strategy))
    }

    func get(_ name: String) throws -> DaemonSet { try harness.client.getObject(DaemonSet.self, namespace: "default", name: name) }

    func update(_ name: String, _ change: (inout DaemonSet) -> Void) throws {
        var ds = try get(name)
        change(&ds)
        _ = try harness.client.replaceObject(ds)
    }

    /// Every pod the DaemonSet controls that still exists (terminating ones included).
    func pods(of uid: String?) -> [Pod] {
        ((try? harness.client.listPods(namespace: "default").items) ?? []).filter { pod in
            pod.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false
        }
    }

    @discardableResult
    func waitForOneRunningPod(of uid: String?, hash: String? = nil, _ what: String, timeout: TimeInterval = 60) throws -> Pod {
        var found: Pod?
        try harness.waitFor("\(what): one running pod", timeout: timeout) {
            let pods = self.pods(of: uid)
            guard pods.count == 1, let pod = pods.first, pod.metadata.deletionTimestamp == nil, pod.status?.phase == .running,
                DeploymentTests.isReady(pod)
            else { return false }
            if let hash, pod.metadata.labels?[DaemonSet.revisionHashLabel] != hash { return false }
            found = pod
            return true
        }
        return try XCTUnwrap(found)
    }

    /// The hash of the DaemonSet's current revision, once the controller has seen its generation.
    func currentHash(_ name: String) throws -> String {
        var hash: String?
        try harness.waitFor("the current revision of \(name)", timeout: 30) {
            guard let ds = try? self.get(name), ds.status?.observedGeneration == ds.metadata.generation else { return false }
            let revisions = (try? self.harness.client.listObjects(ControllerRevision.self, namespace: "default")) ?? []
            hash = revisions.filter { $0.metadata.ownerReferences?.first?.uid == ds.metadata.uid }
                .first { $0.daemonSetTemplate == ds.spec.template }?.metadata.labels?[DaemonSet.revisionHashLabel]
            return hash != nil
        }
        return try XCTUnwrap(hash)
    }

    func testOnePodThatIsReplacedWhenDeleted() throws {
        let created = try harness.client.createObject(daemonSet("agent"))
        let uid = created.metadata.uid
        let hash = try currentHash("agent")
        let first = try waitForOneRunningPod(of: uid, hash: hash, "initial")
        XCTAssertTrue(first.name.hasPrefix("agent-"), first.name)
        XCTAssertEqual(first.metadata.labels?[DaemonSet.templateGenerationLabel], "1")
        XCTAssertEqual(first.metadata.ownerReferences?.first?.kind, "DaemonSet")
        XCTAssertEqual(first.spec.tolerations?.count, 6)
        XCTAssertEqual(
            first.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.first?.matchFields?.first?.values,
            ["it-node"])
        try harness.waitFor("status: 1 desired, current, ready, available, up to date", timeout: 30) {
            guard let s = try? self.get("agent").status else { return false }
            return s.desiredNumberScheduled == 1 && s.currentNumberScheduled == 1 && s.numberReady == 1 && s.numberAvailable == 1
                && s.updatedNumberScheduled == 1 && s.numberUnavailable == 0 && s.numberMisscheduled == 0
        }

        _ = try harness.client.deletePod(namespace: "default", name: first.name, gracePeriodSeconds: 0)
        let second = try waitForOneRunningPod(of: uid, hash: hash, "replacement")
        XCTAssertNotEqual(second.uid, first.uid)
        let events = try harness.client.listEvents(namespace: "default").items.filter { $0.involvedObject.uid == uid }
        XCTAssertEqual(events.filter { $0.reason == "SuccessfulCreate" }.count, 2, "\(events.map(\.message))")
        XCTAssertEqual(events.first?.source.component, "daemonset-controller")
    }

    func testNodeSelectorFollowsTheNodeLabelsThroughReloadAndRestart() throws {
        let config = harness.root + "/config.yaml"
        try "nodeLabels: {tier: edge}\n".write(toFile: config, atomically: true, encoding: .utf8)
        harness.stop()
        try harness.start(daemonArguments + ["--config", config])

        let created = try harness.client.createObject(daemonSet("ssd", nodeSelector: ["disk": "ssd"]))
        try harness.waitFor("the controller to see the DaemonSet", timeout: 30) {
            (try? self.get("ssd").status?.observedGeneration) == 1
        }
        XCTAssertEqual(try get("ssd").status?.desiredNumberScheduled, 0)
        XCTAssertEqual(pods(of: created.metadata.uid).count, 0)

        // A plain pod asking for the label is rejected by admission, as the kubelet does.
        var plain = DaemonHarness.sleeper("wants-ssd")
        plain.spec.nodeSelector = ["disk": "ssd"]
        _ = try harness.client.createPod(plain)
        let rejected = try harness.waitForPod("wants-ssd", "rejected") { $0.status?.phase == .failed }
        XCTAssertEqual(rejected.status?.reason, "NodeAffinity")
        XCTAssertEqual(
            rejected.status?.message, "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
        _ = try harness.client.deletePod(namespace: "default", name: "wants-ssd", gracePeriodSeconds: 0)

        // The label arrives with a configuration reload: the daemon pod follows.
        try "nodeLabels: {tier: edge, disk: ssd}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let pid = try XCTUnwrap(harness.daemon?.processIdentifier)
        kill(pid, SIGHUP)
        let pod = try waitForOneRunningPod(of: created.metadata.uid, "after the reload")
        let labels = try harness.client.nodes().items.first?.metadata.labels ?? [:]
        XCTAssertEqual(labels["disk"], "ssd")
        XCTAssertEqual(labels["tier"], "edge")
        XCTAssertEqual(labels["kubernetes.io/hostname"], "it-node")
        XCTAssertEqual(labels["kubernetes.io/os"], "linux")

        // Restarted without the label: the pod goes.
        harness.stop()
        try harness.start(daemonArguments + ["--node-labels", "tier=edge"])
        try harness.waitForGone(pod.name, timeout: 60)
        try harness.waitFor("status: nothing desired or misscheduled", timeout: 30) {
            guard let s = try? self.get("ssd").status else { return false }
            return s.desiredNumberScheduled == 0 && s.numberMisscheduled == 0 && s.currentNumberScheduled == 0
        }
    }

    func testRollingUpdateWithoutSurgeNeverRunsTwoPodsAndWithSurgeStartsTheNewOneFirst() throws {
        let created = try harness.client.createObject(daemonSet("roll", grace: 2))
        let uid = created.metadata.uid
        let first = try waitForOneRunningPod(of: uid, hash: try currentHash("roll"), "initial")

        let most = LockedMax()
        let watch = DeploymentTests.PodWatch(socket: harness.socket, app: "roll") { pods in most.record(pods.count) }
        try harness.waitFor("the watch to list the pod", timeout: 10) { most.value != nil }
        try update("roll") { $0.spec.template = self.daemonSet("roll", command: "B", grace: 2).spec.template }
        let hashB = try currentHash("roll")
        let second = try waitForOneRunningPod(of: uid, hash: hashB, "after the update to B")
        watch.stop()
        XCTAssertNotEqual(second.uid, first.uid)
        XCTAssertEqual(second.metadata.labels?[DaemonSet.templateGenerationLabel], "2")
        XCTAssertEqual(most.value, 1, "maxSurge 0: the new pod only once the old one is gone")

        // maxSurge 1 / maxUnavailable 0: the new pod runs next to the old one until it is available.
        let both = LockedFlag()
        let surgeWatch = DeploymentTests.PodWatch(socket: harness.socket, app: "roll") { pods in
            let live = pods.filter { $0.metadata.deletionTimestamp == nil }
            if live.count == 2 { both.set() }
        }
        try update("roll") {
            $0.spec.template = self.daemonSet("roll", command: "C", grace: 2).spec.template
            $0.spec.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: .int(0), maxSurge: .int(1)))
        }
        let hashC = try currentHash("roll")
        try waitForOneRunningPod(of: uid, hash: hashC, "after the update to C")
        surgeWatch.stop()
        XCTAssertTrue(both.value, "with surge the old pod was still running when the new one had started")
        XCTAssertEqual(
            try harness.client.listObjects(ControllerRevision.self, namespace: "default").filter {
                $0.metadata.ownerReferences?.first?.uid == uid
            }.map(\.revision).sorted(), [1, 2, 3])

        // The CLI: get, rollout history, undo to B (revision 2 comes back as 4), status.
        let table = try cli(["get", "ds"]).stdout
        XCTAssertTrue(
            table.hasPrefix("NAME   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\nroll   1         1         1       1            1           <none>          "),
            table)
        XCTAssertEqual(
            try cli(["rollout", "history", "daemonset/roll"]).stdout,
            "daemonset.apps/roll\nREVISION   CHANGE-CAUSE\n1          <none>\n2          <none>\n3          <none>\n\n")
        XCTAssertEqual(try cli(["rollout", "undo", "ds/roll"]).stdout, "daemonset.apps/roll rolled back\n")
        XCTAssertTrue(try cli(["rollout", "status", "daemonset/roll", "--timeout", "90"]).stdout.hasSuffix("daemon set \"roll\" successfully rolled out\n"))
        try waitForOneRunningPod(of: uid, hash: hashB, "rolled back to B")
        XCTAssertEqual(
            try cli(["rollout", "history", "daemonset/roll"]).stdout,
            "daemonset.apps/roll\nREVISION   CHANGE-CAUSE\n1          <none>\n3          <none>\n4          <none>\n\n")
    }

    func cli(_ arguments: [String]) throws -> CLIResult {
        let result = try swiftlet(arguments)
        XCTAssertEqual(result.status, 0, "swiftlet \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func testOnDeleteReplacesThePodOnlyWhenItIsDeleted() throws {
        let created = try harness.client.createObject(daemonSet("ondel", strategy: .init(type: "OnDelete")))
        let uid = created.metadata.uid
        let hashA = try currentHash("ondel")
        let first = try waitForOneRunningPod(of: uid, hash: hashA, "initial")
        try update("ondel") { $0.spec.template = self.daemonSet("ondel", command: "B").spec.template }
        let hashB = try currentHash("ondel")
        // The pass that saw generation 2 is the one a RollingUpdate would have deleted the pod in.
        try harness.waitFor("status: generation 2 seen, the pod not up to date", timeout: 30) {
            guard let ds = try? self.get("ondel"), let s = ds.status else { return false }
            return s.observedGeneration == ds.metadata.generation && s.updatedNumberScheduled == 0 && s.currentNumberScheduled == 1
        }
        XCTAssertNil(harness.pod(first.name)?.metadata.deletionTimestamp)
        XCTAssertEqual(pods(of: uid).map(\.uid), [first.uid])
        _ = try harness.client.deletePod(namespace: "default", name: first.name, gracePeriodSeconds: 0)
        let second = try waitForOneRunningPod(of: uid, hash: hashB, "replacement with the new template")
        XCTAssertTrue(second.spec.containers[0].command?.last?.contains("echo B") ?? false)
    }

    func testKill9DuringAnUpdateLeavesNoDuplicatePod() throws {
        // A 6 s grace period keeps the old pod terminating while the agent is killed.
        let created = try harness.client.createObject(daemonSet("crash", grace: 6))
        let uid = created.metadata.uid
        let first = try waitForOneRunningPod(of: uid, hash: try currentHash("crash"), "initial")
        try update("crash") { $0.spec.template = self.daemonSet("crash", command: "B", grace: 6).spec.template }
        _ = try harness.waitForPod(first.name, "terminating") { $0.metadata.deletionTimestamp != nil }
        harness.kill9()
        try harness.start(daemonArguments)

        let most = LockedMax()
        let watch = DeploymentTests.PodWatch(socket: harness.socket, app: "crash") { pods in most.record(pods.count) }
        let hashB = try currentHash("crash")
        let second = try waitForOneRunningPod(of: uid, hash: hashB, "after the restart", timeout: 90)
        watch.stop()
        XCTAssertNotEqual(second.uid, first.uid)
        XCTAssertEqual(most.value, 1, "never two pods, before or after the restart")
        XCTAssertEqual(pods(of: uid).count, 1)
    }
}

final class LockedMax: @unchecked Sendable {
    let lock = NSLock()
    var _value: Int?
    var value: Int? { lock.withLock { _value } }
    func record(_ n: Int) { lock.withLock { _value = max(_value ?? n, n) } }
}
