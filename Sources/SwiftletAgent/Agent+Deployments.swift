import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// The deployment controller's shell: the pure `DeploymentController.plan` decides, this applies
/// it to the object store. A Deployment's ReplicaSets are API objects (persisted, so their
/// revisions, which live in their annotations as in Kubernetes, survive a restart); the
/// ReplicaSet controller then makes their pods.
extension Agent {
    func syncDeployments() async {
        let deployments = objects.list(resource: Deployment.resource, namespace: nil)
            .compactMap { $0.value as? Deployment }
            .sorted { $0.key < $1.key }
        for d in deployments where d.metadata.uid != nil {
            // Only API ReplicaSets can be adopted or scaled: a file's set belongs to its file.
            let sets = objects.entries.values.filter { $0.source == .api }.compactMap { $0.object.value as? ReplicaSet }
                .filter { $0.namespace == d.namespace }
            let plan = DeploymentController.plan(d, replicaSets: sets, pods: controllablePods, now: Date())
            for (reason, message) in plan.events {
                logger.info("deployment \(d.key): \(reason): \(message)")
                var object = ObjectReference(kind: Deployment.kind, namespace: d.namespace, name: d.name, uid: d.metadata.uid)
                object.apiVersion = Deployment.apiVersion
                await events.record(about: object, reason: reason, message: message, component: "deployment-controller")
            }
            for rs in plan.create {
                do {
                    _ = try await createObject(AnyKubeObject(rs))
                } catch {
                    // FailedCreate; a name taken by another set raises collisionCount next pass.
                    logger.warning("deployment \(d.key): cannot create replica set \(rs.name): \(error)")
                }
            }
            for rs in plan.update.values.sorted(by: { $0.name < $1.name }) { updateReplicaSet(rs) }
            for name in plan.delete {
                logger.info("deployment \(d.key): deleting old replica set \(name) (revisionHistoryLimit)")
                _ = try? await deleteObject(resource: ReplicaSet.resource, namespace: d.namespace, name: name)
            }
            if let updated = plan.deployment {
                writeStatus(Deployment.self, namespace: d.namespace, name: d.name, uid: d.metadata.uid ?? "") { current in
                    current.status = updated.status
                    current.metadata.annotations = updated.metadata.annotations
                }
            }
        }
    }

    /// Writes a controller's change of an API ReplicaSet's spec or metadata, keeping the status
    /// its own controller wrote meanwhile.
    func updateReplicaSet(_ planned: ReplicaSet) {
        guard let entry = objects.get(resource: ReplicaSet.resource, namespace: planned.namespace, name: planned.name),
            entry.source == .api, var current = entry.object.value as? ReplicaSet, current.metadata.uid == planned.metadata.uid
        else { return }
        current.spec = planned.spec
        current.metadata.annotations = planned.metadata.annotations
        current.metadata.ownerReferences = planned.metadata.ownerReferences
        let stored = storeObject(AnyKubeObject(current), source: .api)
        do { try apiObjects.save(stored) } catch { logger.error("cannot persist replica set \(stored.key): \(error)") }
    }
}
