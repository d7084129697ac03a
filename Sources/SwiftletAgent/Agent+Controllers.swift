import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// The state of the workload controllers' loop: one pass at a time, re-run when something
/// changed while it ran, and nothing before `start` has loaded every source (a pass earlier
/// would see a file-defined owner missing and collect its pods).
struct ControllerLoop {
    var enabled = false
    var scheduled = false
    var running = false
    var rerun = false
    /// Owners being deleted with `propagationPolicy: Orphan`, whose dependents are being released.
    var orphaning: Set<String> = []
    /// Per DaemonSet uid: the failed-pod back-off (`failedPodsBackoff`, 1 s doubling to 15 min).
    var daemonSetBackoff: [String: FailedPodBackoff] = [:]
}

/// The workload controllers (Deployment, ReplicaSet) and the garbage collector, as a thin shell around the
/// pure decisions of `SwiftletLifecycle`: they observe the published pods and the object store,
/// create and delete API pods, set and remove controller references and write `.status`.
/// Every pod change and every object change schedules a pass; housekeeping schedules one too,
/// so time-based conditions (minReadySeconds) are re-evaluated.
extension Agent {
    func enableControllers() {
        controllerLoop.enabled = true
        scheduleControllers()
    }

    func scheduleControllers() {
        guard controllerLoop.enabled, !controllerLoop.scheduled else { return }
        controllerLoop.scheduled = true
        Task { await self.runControllers() }
    }

    func runControllers() async {
        controllerLoop.scheduled = false
        if controllerLoop.running {
            controllerLoop.rerun = true
            return
        }
        controllerLoop.running = true
        defer { controllerLoop.running = false }
        var passes = 0
        repeat {
            controllerLoop.rerun = false
            passes += 1
            await syncDeployments()
            await syncDaemonSets()
            await syncReplicaSets()
            await syncJobs()
            await syncCronJobs()
            await collectGarbage()
            await collectObjectGarbage()
        } while controllerLoop.rerun && passes < 10 && !draining
    }

    /// The pods controllers may own: API pods (static pods belong to their files).
    var controllablePods: [Pod] {
        published.values.filter { sources[$0.uid] == .api }
    }

    func syncReplicaSets() async {
        let sets = objects.list(resource: ReplicaSet.resource, namespace: nil)
            .compactMap { $0.value as? ReplicaSet }
            .sorted { $0.key < $1.key }
        for rs in sets where rs.metadata.uid != nil {
            let plan = ReplicaSetController.plan(rs, pods: controllablePods, now: Date())
            let owner = ReplicaSetController.ownerReference(rs)
            for uid in plan.adopt {
                await setOwnerReferences(podUID: uid) { refs in refs.filter { $0.uid != owner.uid } + [owner] }
            }
            for uid in plan.release {
                await setOwnerReferences(podUID: uid) { refs in refs.filter { $0.uid != owner.uid } }
            }
            // The first error of this sync's creations or deletions (`manageReplicas`' error).
            var failure: String?
            for uid in plan.delete {
                guard let pod = published[uid] else { continue }
                logger.info("replicaset \(rs.key): deleting pod \(pod.name)")
                do {
                    _ = try await deletePod(namespace: pod.namespace, name: pod.name, gracePeriodSeconds: nil)
                    await recordControllerEvent(rs, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
                } catch {
                    failure = failure ?? "\(error)"
                    await recordControllerEvent(rs, type: "Warning", reason: "FailedDelete", message: "Error deleting: \(error)")
                }
            }
            if plan.create > 0, let template = rs.spec.template {
                for _ in 0..<plan.create {
                    do {
                        let pod = try await createPod(ReplicaSetController.pod(from: template, owner: owner, namespace: rs.namespace))
                        logger.info("replicaset \(rs.key): created pod \(pod.name)")
                        await recordControllerEvent(rs, reason: "SuccessfulCreate", message: "Created pod: \(pod.name)")
                    } catch {
                        // The controller's FailedCreate; the next pass retries.
                        logger.warning("replicaset \(rs.key): FailedCreate: \(error)")
                        failure = failure ?? "\(error)"
                        await recordControllerEvent(rs, type: "Warning", reason: "FailedCreate", message: "Error creating: \(error)")
                        break
                    }
                }
            }
            let status = ReplicaSetController.withReplicaFailure(plan.status, error: failure, missingPods: plan.create > 0, now: Date())
            writeStatus(ReplicaSet.self, namespace: rs.namespace, name: rs.name, uid: owner.uid) { $0.status = status }
        }
    }

    /// The events kube-controller-manager's `replicaset-controller` records about a ReplicaSet
    /// (`controller_utils.go`: SuccessfulCreate "Created pod: NAME", SuccessfulDelete, FailedCreate…).
    func recordControllerEvent(_ rs: ReplicaSet, type: String = "Normal", reason: String, message: String) async {
        var object = ObjectReference(kind: "ReplicaSet", namespace: rs.namespace, name: rs.name, uid: rs.metadata.uid)
        object.apiVersion = "apps/v1"
        await events.record(about: object, type: type, reason: reason, message: message, component: "replicaset-controller")
    }

    /// Writes a controller's `.status` into the stored object if it changed (the file or the API
    /// keeps owning the spec); API objects are persisted with it.
    func writeStatus<T: KubeObject>(_ type: T.Type, namespace: String, name: String, uid: String, _ update: (inout T) -> Void) {
        guard let entry = objects.get(resource: T.resource, namespace: namespace, name: name),
            var current = entry.object.value as? T, current.metadata.uid == uid
        else { return }
        let before = current
        update(&current)
        guard current != before else { return }
        let stored = storeObject(AnyKubeObject(current), source: entry.source)
        if entry.source == .api { try? apiObjects.save(stored) } else { try? fileObjectStatus.save(stored) }
    }

    /// Changes an API pod's ownerReferences (adoption, release, orphaning), persisted like a PUT.
    func setOwnerReferences(podUID: String, _ transform: ([OwnerReference]) -> [OwnerReference]) async {
        guard let worker = workers[podUID], var current = published[podUID], sources[podUID] == .api else { return }
        let refs = transform(current.metadata.ownerReferences ?? [])
        guard refs != (current.metadata.ownerReferences ?? []) else { return }
        current.metadata.ownerReferences = refs.isEmpty ? nil : refs
        var stored = current
        stored.status = nil
        try? apiStore.save(stored)
        await worker.updateMetadata(current.metadata)
    }

    /// The garbage collector's background cascade: a pod whose controller is a stored kind that no
    /// longer exists is deleted. Owners of kinds swiftlet does not store are left alone.
    func collectGarbage() async {
        let owners = Set(objects.entries.values.compactMap { $0.object.metadata.uid })
        for (_, entry) in objects.entries.sorted(by: { $0.key < $1.key }) where entry.source == .api {
            guard let ref = ReplicaSetController.controllerRef(of: entry.object.metadata),
                KubeObjectKinds.type(kind: ref.kind, apiVersion: ref.apiVersion) != nil,
                !owners.contains(ref.uid), !controllerLoop.orphaning.contains(ref.uid)
            else { continue }
            let value = entry.object.value
            logger.info("garbage collector: deleting \(entry.object.kind) \(value.key), its \(ref.kind) \(ref.name) is gone")
            _ = try? await deleteObject(resource: entry.object.resource, namespace: value.namespace, name: value.name)
        }
        for pod in controllablePods where pod.metadata.deletionTimestamp == nil {
            guard let ref = ReplicaSetController.controllerRef(of: pod),
                KubeObjectKinds.type(kind: ref.kind, apiVersion: ref.apiVersion) != nil,
                !owners.contains(ref.uid), !controllerLoop.orphaning.contains(ref.uid)
            else { continue }
            logger.info("garbage collector: deleting pod \(pod.key), its \(ref.kind) \(ref.name) is gone")
            _ = try? await deletePod(namespace: pod.namespace, name: pod.name, gracePeriodSeconds: nil)
        }
    }

    /// `propagationPolicy: Orphan`: the object goes first (so no pass re-adopts), then its
    /// dependents lose their references to it; the garbage collector skips them meanwhile.
    public func deleteObject(resource: String, namespace: String, name: String, orphanDependents: Bool) async throws
        -> AnyKubeObject
    {
        guard orphanDependents, let entry = objects.get(resource: resource, namespace: namespace, name: name), entry.source == .api,
            let uid = entry.object.metadata.uid
        else { return try await deleteObject(resource: resource, namespace: namespace, name: name) }
        controllerLoop.orphaning.insert(uid)
        defer { controllerLoop.orphaning.remove(uid) }
        let deleted = try await deleteObject(resource: resource, namespace: namespace, name: name)
        releaseObjectDependents(of: uid)
        for pod in controllablePods where pod.metadata.ownerReferences?.contains(where: { $0.uid == uid }) ?? false {
            await setOwnerReferences(podUID: pod.uid) { refs in refs.filter { $0.uid != uid } }
        }
        for (_, dependent) in objects.entries where dependent.source == .api {
            var value = dependent.object.value
            guard value.metadata.ownerReferences?.contains(where: { $0.uid == uid }) ?? false else { continue }
            let refs = (value.metadata.ownerReferences ?? []).filter { $0.uid != uid }
            value.metadata.ownerReferences = refs.isEmpty ? nil : refs
            let stored = storeObject(AnyKubeObject(value), source: .api)
            try? apiObjects.save(stored)
        }
        return deleted
    }
}
