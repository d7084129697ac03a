import Foundation
import SwiftletClient
import SwiftletKube
import SwiftletLifecycle
import XCTest

/// The deployment controller with real pods: rolling updates that keep every replica ready,
/// rollback, Recreate without overlap, the progress deadline, pause/resume and kill -9 of the
/// agent in the middle of a rollout.
final class DeploymentTests: IntegrationTestCase {
    override func tearDownWithError() throws {
        // Deleting the Deployments cascades to their ReplicaSets and pods; wait for the sets to
        // go so no controller replaces the pods the harness then deletes.
        if let harness {
            for d in (try? harness.client.listObjects(Deployment.self, namespace: "default")) ?? [] {
                _ = try? harness.client.deleteObject(Deployment.self, namespace: "default", name: d.name)
            }
            // Sets a failed test left orphaned are deleted too.
            for rs in (try? harness.client.listObjects(ReplicaSet.self, namespace: "default")) ?? []
            where rs.metadata.ownerReferences == nil {
                _ = try? harness.client.deleteObject(ReplicaSet.self, namespace: "default", name: rs.name)
            }
            try? harness.waitFor("the ReplicaSets to be collected", timeout: 30) {
                ((try? self.harness.client.listObjects(ReplicaSet.self, namespace: "default")) ?? [ReplicaSet]()).isEmpty
            }
        }
        try super.tearDownWithError()
    }

    func deployment(
        _ name: String, replicas: Int32 = 3, command: String = "A", recreate: Bool = false, readiness: [String]? = nil
    ) -> Deployment {
        var container = Container(name: "main", image: "busybox", command: ["sh", "-c", "echo \(command); exec sleep 3600"])
        if let readiness {
            var probe = Probe()
            probe.exec = ExecAction(command: readiness)
            probe.periodSeconds = 1
            container.readinessProbe = probe
        }
        var spec = PodSpec(containers: [container])
        spec.terminationGracePeriodSeconds = 1
        var d = Deployment(
            metadata: ObjectMeta(name: name),
            spec: .init(
                replicas: replicas, selector: WorkloadSelector(matchLabels: ["app": name]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: spec)))
        d.spec.strategy =
            recreate ? .init(type: "Recreate") : .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: .int(0), maxSurge: .int(1)))
        return d
    }

    func get(_ name: String) throws -> Deployment { try harness.client.getObject(Deployment.self, namespace: "default", name: name) }

    func update(_ name: String, _ change: (inout Deployment) -> Void) throws {
        var d = try get(name)
        change(&d)
        _ = try harness.client.replaceObject(d)
    }

    func sets(of d: Deployment) -> [ReplicaSet] {
        ((try? harness.client.listObjects(ReplicaSet.self, namespace: "default")) ?? []).filter {
            $0.metadata.ownerReferences?.contains { $0.uid == d.metadata.uid } ?? false
        }
    }

    func waitForComplete(_ name: String, timeout: TimeInterval = 90) throws {
        try harness.waitFor("deployment \(name) rolled out", timeout: timeout) {
            guard let d = try? self.get(name), let s = d.status else { return false }
            return DeploymentController.isComplete(d, s) && s.replicas == d.replicas
                && s.condition("Progressing")?.reason == "NewReplicaSetAvailable"
        }
    }

    func command(of pod: Pod) -> String { pod.spec.containers.first?.command?.last ?? "" }

    /// The API pods of the Deployment, as the watch stream reports them: every event updates the
    /// picture and `sample` sees it.
    final class PodWatch: @unchecked Sendable {
        let lock = NSLock()
        var pods: [String: Pod] = [:]
        var stopped = false
        var samples = 0
        let sample: @Sendable ([Pod]) -> Void

        init(socket: String, app: String, sample: @escaping @Sendable ([Pod]) -> Void) {
            self.sample = sample
            let thread = Thread { [self] in
                let client = SwiftletAPIClient(socketPath: socket)
                try? client.watchPods(namespace: "default", labelSelector: "app=\(app)") { event in
                    lock.lock()
                    defer { lock.unlock() }
                    if event.type == "DELETED" { pods[event.object.uid] = nil } else { pods[event.object.uid] = event.object }
                    samples += 1
                    sample(Array(pods.values))
                    return !stopped
                }
            }
            thread.start()
        }

        func stop() {
            lock.lock()
            stopped = true
            lock.unlock()
        }
    }

    static func isReady(_ pod: Pod) -> Bool {
        pod.metadata.deletionTimestamp == nil && pod.status?.conditions?.contains { $0.type == .ready && $0.status == .true } ?? false
    }

    func testRollingUpdateKeepsEveryReplicaReadyAndUndoBringsTheOldTemplateBack() throws {
        let created = try harness.client.createObject(deployment("roll"))
        try waitForComplete("roll")
        let first = sets(of: created)
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(first.first?.metadata.annotations?[DeploymentAnnotations.revision], "1")

        let minReady = LockedMin()
        // Sampled once the watch's initial ADDED events have listed the 3 ready pods.
        let listed = LockedFlag()
        let watch = PodWatch(socket: harness.socket, app: "roll") { pods in
            let ready = pods.filter(Self.isReady).count
            if ready >= 3 { listed.set() }
            if listed.value { minReady.record(ready) }
        }
        try harness.waitFor("the watch to list the pods", timeout: 10) { minReady.value != nil }
        try update("roll") { $0.spec.template = self.deployment("roll", command: "B").spec.template }
        try waitForComplete("roll")
        watch.stop()
        XCTAssertEqual(minReady.value, 3, "the rollout never had fewer than 3 ready pods")
        let afterB = sets(of: created).sorted { DeploymentController.revision($0) < DeploymentController.revision($1) }
        XCTAssertEqual(afterB.map(\.replicas), [0, 3])
        XCTAssertEqual(afterB.map { DeploymentController.revision($0) }, [1, 2])
        XCTAssertEqual(try get("roll").metadata.annotations?[DeploymentAnnotations.revision], "2")
        let scaling = try harness.client.listEvents(namespace: "default").items.filter {
            $0.reason == "ScalingReplicaSet" && $0.involvedObject.kind == "Deployment" && $0.involvedObject.name == "roll"
        }
        XCTAssertTrue(scaling.contains { $0.message == "Scaled down replica set \(afterB[0].name) from 1 to 0" }, "\(scaling.map(\.message))")
        try harness.waitFor("old pods gone", timeout: 30) {
            let pods = (try? self.harness.client.listPods(namespace: "default").items) ?? []
            return pods.count == 3 && pods.allSatisfy { self.command(of: $0).hasPrefix("echo B") }
        }

        // `rollout undo`: the revision-1 set comes back as revision 3.
        let current = try get("roll")
        guard case .success(let target) = DeploymentController.rollbackTarget(current, replicaSets: sets(of: current), toRevision: 0) else {
            return XCTFail("no rollback target")
        }
        _ = try harness.client.replaceObject(DeploymentController.rolledBack(current, to: target))
        try waitForComplete("roll")
        let afterUndo = sets(of: created)
        XCTAssertEqual(afterUndo.count, 2, "the old set is re-used")
        let reused = try XCTUnwrap(afterUndo.first { $0.name == target.name })
        XCTAssertEqual(reused.replicas, 3)
        XCTAssertEqual(DeploymentController.revision(reused), 3)
        XCTAssertEqual(try get("roll").metadata.annotations?[DeploymentAnnotations.revision], "3")
        try harness.waitFor("A pods back", timeout: 30) {
            let pods = (try? self.harness.client.listPods(namespace: "default").items) ?? []
            return pods.count == 3 && pods.allSatisfy { self.command(of: $0).hasPrefix("echo A") }
        }
    }

    func testRecreateNeverOverlapsOldAndNewPods() throws {
        let created = try harness.client.createObject(deployment("recr", replicas: 2, recreate: true))
        try waitForComplete("recr")
        let overlap = LockedFlag()
        let oldHash = try XCTUnwrap(sets(of: created).first?.metadata.labels?[DeploymentAnnotations.podTemplateHash])
        // Old pods may linger as finished objects (as in Kubernetes); none may still run once a new pod exists.
        let watch = PodWatch(socket: harness.socket, app: "recr") { pods in
            let running = pods.filter { !($0.status?.phase?.isTerminal ?? false) && $0.metadata.labels?[DeploymentAnnotations.podTemplateHash] == oldHash }
            let new = pods.filter { $0.metadata.labels?[DeploymentAnnotations.podTemplateHash] != oldHash }
            if !running.isEmpty, !new.isEmpty {
                overlap.set()
                print("overlap: old \(running.map { "\($0.name) \($0.status?.phase as Any)" }) new \(new.map(\.name))")
            }
        }
        try update("recr") { $0.spec.template = self.deployment("recr", command: "B").spec.template }
        try waitForComplete("recr")
        watch.stop()
        XCTAssertFalse(overlap.value, "an old pod existed while a new one did")
        XCTAssertEqual(sets(of: created).map(\.replicas).sorted(), [0, 2])
    }

    func testRolloutWhosePodsNeverBecomeReadyExceedsItsProgressDeadline() throws {
        var d = deployment("stuck", replicas: 1, readiness: ["false"])
        d.spec.progressDeadlineSeconds = 2
        _ = try harness.client.createObject(d)
        try harness.waitFor("ProgressDeadlineExceeded", timeout: 60) {
            let cond = (try? self.get("stuck"))?.status?.condition("Progressing")
            return cond?.reason == "ProgressDeadlineExceeded" && cond?.status == "False"
        }
        let status = try get("stuck").status
        XCTAssertEqual(status?.condition("Available")?.reason, "MinimumReplicasUnavailable")
        XCTAssertEqual(status?.availableReplicas, 0)
        XCTAssertEqual(status?.unavailableReplicas, 1)
    }

    func testPausedDeploymentDoesNotRollOutUntilResumed() throws {
        let created = try harness.client.createObject(deployment("paus", replicas: 2))
        try waitForComplete("paus")
        try update("paus") { $0.spec.paused = true }
        try update("paus") { $0.spec.template = self.deployment("paus", command: "B").spec.template }
        try harness.waitFor("the paused change observed", timeout: 30) {
            guard let d = try? self.get("paus") else { return false }
            return d.status?.observedGeneration == d.metadata.generation && d.status?.condition("Progressing")?.reason == "DeploymentPaused"
        }
        XCTAssertEqual(sets(of: created).count, 1, "no new revision while paused")
        try update("paus") { $0.spec.paused = false }
        try waitForComplete("paus")
        XCTAssertEqual(sets(of: created).map(\.replicas).sorted(), [0, 2])
    }

    func testKill9MidRolloutResumesWithoutDuplicatePods() throws {
        // B's pods take a few seconds to become ready, so the rollout is still going when the agent dies.
        let created = try harness.client.createObject(deployment("kill", replicas: 3))
        try waitForComplete("kill")
        try update("kill") {
            $0.spec.template = self.deployment("kill", command: "B", readiness: ["true"]).spec.template
            $0.spec.template?.spec.containers[0].readinessProbe?.initialDelaySeconds = 3
        }
        try harness.waitFor("the new ReplicaSet to start", timeout: 30) {
            self.sets(of: created).count == 2
        }
        harness.kill9()
        try harness.start()
        try waitForComplete("kill", timeout: 120)
        let final = sets(of: created)
        XCTAssertEqual(final.count, 2, "no third revision")
        XCTAssertEqual(final.map(\.replicas).sorted(), [0, 3])
        try harness.waitFor("exactly the new set's 3 pods", timeout: 30) {
            let pods = (try? self.harness.client.listPods(namespace: "default").items) ?? []
            return pods.count == 3 && pods.allSatisfy { self.command(of: $0).hasPrefix("echo B") }
        }
    }
}

extension DeploymentTests {
    func cli(_ arguments: [String]) throws -> CLIResult {
        let result = try swiftlet(arguments)
        XCTAssertEqual(result.status, 0, "swiftlet \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func testCLIRolloutScaleSetImageGetAndDelete() throws {
        let created = try harness.client.createObject(deployment("cli", replicas: 2))
        XCTAssertTrue(try cli(["rollout", "status", "deployment/cli", "--timeout", "90"]).stdout
            .hasSuffix("deployment \"cli\" successfully rolled out\n"))
        let table = try cli(["get", "deployments"]).stdout
        XCTAssertTrue(table.hasPrefix("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\ncli    2/2     2            2           "), table)
        let sets = try cli(["get", "rs"]).stdout
        XCTAssertTrue(sets.hasPrefix("NAME"), sets)
        XCTAssertTrue(sets.contains("DESIRED   CURRENT   READY   AGE"), sets)

        // restart: a new revision; undo --to-revision 1: the first set again, as revision 3.
        XCTAssertEqual(try cli(["rollout", "restart", "deployment/cli"]).stdout, "deployment.apps/cli restarted\n")
        _ = try cli(["rollout", "status", "deployment", "cli", "--timeout", "90"])
        XCTAssertEqual(
            try cli(["rollout", "history", "deployment/cli"]).stdout,
            "deployment.apps/cli\nREVISION   CHANGE-CAUSE\n1          <none>\n2          <none>\n\n")
        XCTAssertEqual(try cli(["rollout", "undo", "deployment/cli", "--to-revision", "1"]).stdout, "deployment.apps/cli rolled back\n")
        _ = try cli(["rollout", "status", "deployment/cli", "--timeout", "90"])
        XCTAssertEqual(
            try cli(["rollout", "history", "deployment/cli"]).stdout,
            "deployment.apps/cli\nREVISION   CHANGE-CAUSE\n2          <none>\n3          <none>\n\n")
        let missing = try swiftlet(["rollout", "undo", "deployment/cli", "--to-revision", "7"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "error: unable to find specified revision 7 in history\n")

        let badImage = try swiftlet(["set", "image", "deployment/cli", "nope=busybox"])
        XCTAssertEqual(badImage.stderr, "error: unable to find container named \"nope\"\n")
        XCTAssertEqual(try cli(["scale", "deployment/cli", "--replicas", "3"]).stdout, "deployment.apps/cli scaled\n")
        try harness.waitFor("3 ready replicas", timeout: 60) { (try? self.get("cli"))?.status?.readyReplicas == 3 }
        XCTAssertEqual(self.sets(of: created).count, 2, "scaling made no revision (the undo re-used the first set)")
        XCTAssertEqual(try cli(["rollout", "pause", "deployment/cli"]).stdout, "deployment.apps/cli paused\n")
        XCTAssertEqual(try cli(["rollout", "pause", "deployment/cli"]).stdout, "deployment.apps/cli already paused\n")
        XCTAssertEqual(try cli(["rollout", "resume", "deployment/cli"]).stdout, "deployment.apps/cli resumed\n")

        // --cascade=orphan keeps the sets (and their pods); deleting the sets collects the pods.
        XCTAssertEqual(try cli(["delete", "deployment", "cli", "--cascade=orphan"]).stdout, "deployment.apps \"cli\" deleted\n")
        try harness.waitFor("the sets orphaned", timeout: 30) {
            let all = (try? self.harness.client.listObjects(ReplicaSet.self, namespace: "default")) ?? []
            return all.count == 2 && all.allSatisfy { $0.metadata.ownerReferences == nil }
        }
        try harness.waitFor("the 3 pods still running (older ones finish terminating)", timeout: 30) {
            let pods = (try? self.harness.client.listPods(namespace: "default").items) ?? []
            return pods.count == 3 && pods.allSatisfy { $0.status?.phase == .running && $0.metadata.deletionTimestamp == nil }
        }
        let names = try harness.client.listObjects(ReplicaSet.self, namespace: "default").map(\.name)
        XCTAssertEqual(try cli(["delete", "rs"] + names).stdout, names.map { "replicaset.apps \"\($0)\" deleted\n" }.joined())
        try harness.waitFor("the pods collected", timeout: 60) { (try? self.harness.client.listPods(namespace: "default").items)?.isEmpty == true }
    }
}

final class LockedMin: @unchecked Sendable {
    let lock = NSLock()
    var _value: Int?
    var value: Int? { lock.withLock { _value } }
    func record(_ n: Int) { lock.withLock { _value = min(_value ?? n, n) } }
}

final class LockedFlag: @unchecked Sendable {
    let lock = NSLock()
    var _value = false
    var value: Bool { lock.withLock { _value } }
    func set() { lock.withLock { _value = true } }
}
