import Foundation
import SwiftletKube

/// What the ReplicaSet controller (`pkg/controller/replicaset`) decides in one sync, without I/O:
/// which pods it adopts and releases (`ClaimPods`), how many it creates, which it deletes
/// (`getPodsToDelete`, ranked like `ActivePods`) and the status it writes.
public struct ReplicaSetPlan: Hashable, Sendable {
    /// Orphans whose labels match the selector: they get a controller reference to the set.
    public var adopt: [String] = []
    /// Owned pods whose labels no longer match: their controller reference is removed.
    public var release: [String] = []
    public var create: Int = 0
    /// Pod uids to delete, in deletion order.
    public var delete: [String] = []
    public var status = ReplicaSet.Status()
}

public enum ReplicaSetController {
    /// `burstReplicas`: at most this many creations or deletions per sync.
    public static let burstReplicas = 500

    /// The pod's controller reference (`metav1.GetControllerOf`).
    public static func controllerRef(of pod: Pod) -> OwnerReference? {
        controllerRef(of: pod.metadata)
    }

    public static func controllerRef(of metadata: ObjectMeta) -> OwnerReference? {
        metadata.ownerReferences?.first { $0.controller == true }
    }

    /// `IsPodActive`: not finished and not being deleted.
    public static func isActive(_ pod: Pod) -> Bool {
        !(pod.status?.phase?.isTerminal ?? false) && pod.metadata.deletionTimestamp == nil
    }

    public static func plan(_ rs: ReplicaSet, pods: [Pod], now: Date) -> ReplicaSetPlan {
        var plan = ReplicaSetPlan()
        let claim = claim(
            pods: pods, namespace: rs.namespace, selector: rs.spec.selector ?? WorkloadSelector(), ownerUID: rs.metadata.uid,
            ownerDeleting: rs.metadata.deletionTimestamp != nil)
        plan.adopt = claim.adopt
        plan.release = claim.release
        let active = claim.owned.filter(isActive)
        let diff = active.count - Int(rs.replicas)
        if diff < 0 {
            plan.create = min(-diff, burstReplicas)
        } else if diff > 0 {
            plan.delete = active.sorted(by: { deletesBefore($0, $1, now: now) }).prefix(min(diff, burstReplicas)).map(\.uid)
        }
        plan.status = status(rs, active: active, now: now)
        return plan
    }

    /// `ClaimPods` for any pod controller: the pods it owns (its controller reference and matching
    /// labels, adopted orphans included), the orphans it adopts (not while it is being deleted)
    /// and the owned pods it releases because their labels no longer match.
    public static func claim(pods: [Pod], namespace: String, selector: WorkloadSelector, ownerUID: String?, ownerDeleting: Bool)
        -> (owned: [Pod], adopt: [String], release: [String])
    {
        var owned: [Pod] = []
        var adopt: [String] = []
        var release: [String] = []
        for pod in pods where pod.namespace == namespace {
            let matches = selector.matches(pod.metadata.labels)
            if let ref = controllerRef(of: pod) {
                guard ref.uid == ownerUID else { continue }
                if matches {
                    owned.append(pod)
                } else if pod.metadata.deletionTimestamp == nil {
                    release.append(pod.uid)
                }
            } else if matches, pod.metadata.deletionTimestamp == nil, !ownerDeleting {
                adopt.append(pod.uid)
                owned.append(pod)
            }
        }
        return (owned, adopt, release)
    }

    /// `calculateStatus`, counted over the active pods the set owns before this sync's changes.
    public static func status(_ rs: ReplicaSet, active: [Pod], now: Date) -> ReplicaSet.Status {
        let templateLabels = rs.spec.template?.metadata?.labels ?? [:]
        let minReady = TimeInterval(rs.spec.minReadySeconds ?? 0)
        var status = ReplicaSet.Status()
        status.replicas = Int32(active.count)
        status.fullyLabeledReplicas = Int32(
            active.filter { pod in templateLabels.allSatisfy { pod.metadata.labels?[$0.key] == $0.value } }.count)
        status.readyReplicas = Int32(active.filter { readySince($0) != nil }.count)
        status.availableReplicas = Int32(active.filter { isAvailable($0, minReadySeconds: minReady, now: now) }.count)
        status.observedGeneration = rs.metadata.generation
        status.conditions = rs.status?.conditions
        return status
    }

    /// `calculateStatus`'s failure condition: `ReplicaFailure` (reason `FailedCreate` when pods
    /// were missing, `FailedDelete` when there were too many, the error as message) is added when
    /// a sync's create or delete failed and none is set, and removed after a sync without errors.
    public static func withReplicaFailure(_ status: ReplicaSet.Status, error: String?, missingPods: Bool, now: Date) -> ReplicaSet.Status {
        var status = status
        var conditions = status.conditions ?? []
        let existing = conditions.contains { $0.type == ReplicaSet.Condition.replicaFailure }
        if let error, !existing {
            conditions.append(
                ReplicaSet.Condition(
                    type: ReplicaSet.Condition.replicaFailure, status: .true, lastTransitionTime: KubeTime(now),
                    reason: missingPods ? "FailedCreate" : "FailedDelete", message: error))
        } else if error == nil, existing {
            conditions.removeAll { $0.type == ReplicaSet.Condition.replicaFailure }
        }
        status.conditions = conditions.isEmpty ? nil : conditions
        return status
    }

    /// When the pod's Ready condition last became True, nil while it is not ready.
    public static func readySince(_ pod: Pod) -> Date? {
        guard let ready = pod.status?.conditions?.first(where: { $0.type == .ready }), ready.status == .true else { return nil }
        return ready.lastTransitionTime?.date ?? .distantPast
    }

    /// `podutil.IsPodAvailable`: ready for at least `minReadySeconds`.
    public static func isAvailable(_ pod: Pod, minReadySeconds: TimeInterval, now: Date) -> Bool {
        guard let since = readySince(pod) else { return false }
        return minReadySeconds == 0 || since.addingTimeInterval(minReadySeconds) <= now
    }

    /// `controller.ActivePodsWithRanks.Less` on one node: pending before running, not ready before
    /// ready, lower `controller.kubernetes.io/pod-deletion-cost` first, the more recently ready
    /// first, more restarts first, newer first.
    public static func deletesBefore(_ a: Pod, _ b: Pod, now: Date) -> Bool {
        let (pa, pb) = (phaseRank(a), phaseRank(b))
        if pa != pb { return pa < pb }
        let (ra, rb) = (readySince(a), readySince(b))
        if (ra == nil) != (rb == nil) { return ra == nil }
        let (ca, cb) = (deletionCost(a), deletionCost(b))
        if ca != cb { return ca < cb }
        if let ra, let rb, ra != rb { return ra > rb }
        let (xa, xb) = (restarts(a), restarts(b))
        if xa != xb { return xa > xb }
        let (ta, tb) = (a.metadata.creationTimestamp?.date ?? now, b.metadata.creationTimestamp?.date ?? now)
        if ta != tb { return ta > tb }
        return a.uid < b.uid
    }

    static func phaseRank(_ pod: Pod) -> Int {
        switch pod.status?.phase {
        case .pending, nil: return 0
        case .unknown: return 1
        case .running: return 2
        default: return 3
        }
    }

    static func deletionCost(_ pod: Pod) -> Int32 {
        pod.metadata.annotations?["controller.kubernetes.io/pod-deletion-cost"].flatMap { Int32($0) } ?? 0
    }

    static func restarts(_ pod: Pod) -> Int32 {
        (pod.status?.containerStatuses ?? []).map(\.restartCount).max() ?? 0
    }

    /// The pod a controller creates from its template (`GetPodFromTemplate`): the template's labels
    /// and annotations, `generateName` of the owner's name and a dash, and a controller reference.
    public static func pod(
        from template: PodTemplateSpec, owner: OwnerReference, namespace: String, extraLabels: [String: String] = [:]
    ) -> Pod {
        var meta = ObjectMeta(namespace: namespace)
        meta.generateName = owner.name + "-"
        meta.labels = (template.metadata?.labels ?? [:]).merging(extraLabels) { _, new in new }
        meta.annotations = template.metadata?.annotations
        meta.ownerReferences = [owner]
        return Pod(metadata: meta, spec: template.spec)
    }

    public static func ownerReference(_ rs: ReplicaSet) -> OwnerReference {
        .controllerRef(apiVersion: ReplicaSet.apiVersion, kind: ReplicaSet.kind, name: rs.name, uid: rs.metadata.uid ?? "")
    }
}
