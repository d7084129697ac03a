import Foundation
import Glibc
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// The DaemonSet controller's shell: the pure `DaemonSetController.plan` decides for this node,
/// this applies it — ControllerRevisions (API objects, persisted, so revisions survive a
/// restart), pods, events and `.status` — and keeps the failed-pod back-off.
extension Agent {
    /// This node as placement rules see it.
    var nodeIdentity: NodeIdentity { NodeIdentity(name: configuration.nodeName, labels: nodeLabels) }

    /// The kubelet's default labels with the configured ones on top.
    static func composeNodeLabels(nodeName: String, configured: [String: String]) -> [String: String] {
        var uts = utsname()
        uname(&uts)
        let machine = withUnsafeBytes(of: uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return NodeIdentity.defaultLabels(nodeName: nodeName, machine: machine).merging(configured) { _, new in new }
    }

    /// A configuration reload's `nodeLabels`: DaemonSets follow at once. Running pods stay (node
    /// affinity is IgnoredDuringExecution); only pods admitted from now on are checked.
    public func setNodeLabels(_ configured: [String: String]) {
        let labels = Self.composeNodeLabels(nodeName: configuration.nodeName, configured: configured)
        guard labels != nodeLabels else { return }
        logger.info("node labels changed to \(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))")
        nodeLabels = labels
        scheduleControllers()
    }

    func syncDaemonSets() async {
        let sets = objects.list(resource: DaemonSet.resource, namespace: nil)
            .compactMap { $0.value as? DaemonSet }
            .sorted { $0.key < $1.key }
        let node = nodeIdentity
        let now = Date()
        for ds in sets where ds.metadata.uid != nil {
            let uid = ds.metadata.uid ?? ""
            let revisions = objects.list(resource: ControllerRevision.resource, namespace: ds.namespace)
                .compactMap { $0.value as? ControllerRevision }
            let backoff = controllerLoop.daemonSetBackoff[uid] ?? FailedPodBackoff()
            let plan = DaemonSetController.plan(
                ds, node: node, pods: controllablePods, revisions: revisions, now: now,
                failedPodBackoff: backoff.inBackoff(now: now.timeIntervalSince1970))
            if plan.deletesFailedPod {
                var next = backoff
                next.next(now: now.timeIntervalSince1970)
                controllerLoop.daemonSetBackoff[uid] = next
            }
            await applyHistory(plan, ds: ds)
            let owner = DaemonSetController.ownerReference(ds)
            for pod in plan.adopt {
                await setOwnerReferences(podUID: pod) { refs in refs.filter { $0.uid != owner.uid } + [owner] }
            }
            for pod in plan.release {
                await setOwnerReferences(podUID: pod) { refs in refs.filter { $0.uid != owner.uid } }
            }
            for event in plan.events {
                await recordDaemonSetEvent(ds, type: event.type, reason: event.reason, message: event.message)
            }
            for podUID in plan.delete {
                guard let pod = published[podUID] else { continue }
                logger.info("daemonset \(ds.key): deleting pod \(pod.name)")
                do {
                    _ = try await deletePod(namespace: pod.namespace, name: pod.name, gracePeriodSeconds: nil)
                    await recordDaemonSetEvent(ds, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
                } catch {
                    await recordDaemonSetEvent(ds, type: "Warning", reason: "FailedDelete", message: "Error deleting: \(error)")
                }
            }
            if let pod = plan.create {
                do {
                    let created = try await createPod(pod)
                    logger.info("daemonset \(ds.key): created pod \(created.name)")
                    await recordDaemonSetEvent(ds, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
                } catch {
                    logger.warning("daemonset \(ds.key): FailedCreate: \(error)")
                    await recordDaemonSetEvent(ds, type: "Warning", reason: "FailedCreate", message: "Error creating: \(error)")
                }
            }
            writeStatus(DaemonSet.self, namespace: ds.namespace, name: ds.name, uid: uid) { $0.status = plan.status }
        }
        if !controllerLoop.daemonSetBackoff.isEmpty {
            let live = Set(sets.compactMap(\.metadata.uid))
            controllerLoop.daemonSetBackoff = controllerLoop.daemonSetBackoff.filter { live.contains($0.key) }
        }
    }

    /// The revision history: the current template's revision first (so a kill -9 right after
    /// leaves the hash the pods are labelled with on disk), then old ones beyond the limit.
    func applyHistory(_ plan: DaemonSetPlan, ds: DaemonSet) async {
        if let revision = plan.createRevision {
            do { _ = try await createObject(AnyKubeObject(revision)) } catch {
                logger.warning("daemonset \(ds.key): cannot create controller revision \(revision.name): \(error)")
            }
        }
        if let raised = plan.updateRevision,
            let entry = objects.get(resource: ControllerRevision.resource, namespace: raised.namespace, name: raised.name),
            entry.source == .api, var current = entry.object.value as? ControllerRevision, current.metadata.uid == raised.metadata.uid
        {
            current.revision = raised.revision
            let stored = storeObject(AnyKubeObject(current), source: .api)
            do { try apiObjects.save(stored) } catch { logger.error("cannot persist controller revision \(stored.key): \(error)") }
        }
        for name in plan.deleteRevisions {
            _ = try? await deleteObject(resource: ControllerRevision.resource, namespace: ds.namespace, name: name)
        }
    }

    /// The events kube-controller-manager's `daemonset-controller` records on a DaemonSet.
    func recordDaemonSetEvent(_ ds: DaemonSet, type: String = "Normal", reason: String, message: String) async {
        var object = ObjectReference(kind: DaemonSet.kind, namespace: ds.namespace, name: ds.name, uid: ds.metadata.uid)
        object.apiVersion = DaemonSet.apiVersion
        await events.record(about: object, type: type, reason: reason, message: message, component: "daemonset-controller")
    }
}
