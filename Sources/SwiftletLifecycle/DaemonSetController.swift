import Foundation
import SwiftletKube

/// What the DaemonSet controller (`pkg/controller/daemon`) decides in one sync for this node,
/// without I/O: the revision history (`constructHistory`, `cleanupHistory`), which pods it
/// claims, creates and deletes (`manage`, then `rollingUpdate` when manage had nothing to do)
/// and the status it writes.
public struct DaemonSetPlan: Hashable, Sendable {
    public var adopt: [String] = []
    public var release: [String] = []
    /// The revision of the current template: created when none matches it (`snapshot`).
    public var createRevision: ControllerRevision?
    /// An existing revision whose template is current again (a rollback): its number is raised.
    public var updateRevision: ControllerRevision?
    /// Old revisions beyond `revisionHistoryLimit` that no pod runs, oldest first.
    public var deleteRevisions: [String] = []
    /// The `controller-revision-hash` of the current template.
    public var hash = ""
    /// The pod to create, if any (at most one on one node).
    public var create: Pod?
    /// Pod uids to delete.
    public var delete: [String] = []
    /// A failed pod is among `delete`: the failed-pod back-off advances.
    public var deletesFailedPod = false
    /// Events the controller records on the DaemonSet: (type, reason, message).
    public var events: [ControllerEvent] = []
    public var status = DaemonSet.Status()
}

public enum DaemonSetController {
    public static func ownerReference(_ ds: DaemonSet) -> OwnerReference {
        .controllerRef(apiVersion: DaemonSet.apiVersion, kind: DaemonSet.kind, name: ds.name, uid: ds.metadata.uid ?? "")
    }

    /// `NodeShouldRunDaemonPod` on an untainted node: the template's `nodeName`, if any, is this
    /// node, and its node selector and required node affinity match the node's labels.
    public static func shouldRun(_ ds: DaemonSet, on node: NodeIdentity) -> Bool {
        guard let template = ds.spec.template else { return false }
        if let name = template.spec.nodeName, !name.isEmpty, name != node.name { return false }
        return template.spec.matchesNode(node)
    }

    /// One sync. `revisions` are the namespace's ControllerRevisions; `failedPodBackoff` is true
    /// while deleting another failed pod is held back (the controller's 1 s…15 min back-off).
    public static func plan(
        _ ds: DaemonSet, node: NodeIdentity, pods: [Pod], revisions: [ControllerRevision], now: Date, failedPodBackoff: Bool = false
    ) -> DaemonSetPlan {
        var plan = DaemonSetPlan()
        let history = history(ds, revisions: revisions)
        plan.createRevision = history.create
        plan.updateRevision = history.update
        plan.hash = history.hash
        plan.status.collisionCount = history.collisionCount ?? ds.status?.collisionCount

        let claim = ReplicaSetController.claim(
            pods: pods, namespace: ds.namespace, selector: ds.spec.selector ?? WorkloadSelector(), ownerUID: ds.metadata.uid,
            ownerDeleting: ds.metadata.deletionTimestamp != nil)
        plan.adopt = claim.adopt
        plan.release = claim.release
        let owned = claim.owned
        let run = shouldRun(ds, on: node)

        manage(ds, node: node, owned: owned, shouldRun: run, hash: plan.hash, now: now, failedPodBackoff: failedPodBackoff, into: &plan)
        if plan.create == nil, plan.delete.isEmpty, ds.strategyType == DaemonSet.UpdateStrategy.rollingUpdate {
            plan.delete = rollingUpdate(ds, node: node, owned: owned, shouldRun: run, hash: plan.hash, now: now, into: &plan)
        }
        plan.deleteRevisions = cleanupHistory(ds, old: history.old, owned: owned)
        plan.status = status(ds, owned: owned, shouldRun: run, hash: plan.hash, now: now, collisionCount: plan.status.collisionCount)
        return plan
    }

    // MARK: manage (`podsShouldBeOnNode`)

    static func manage(
        _ ds: DaemonSet, node: NodeIdentity, owned: [Pod], shouldRun: Bool, hash: String, now: Date, failedPodBackoff: Bool,
        into plan: inout DaemonSetPlan
    ) {
        let exists = !owned.isEmpty
        if shouldRun && !exists {
            plan.create = newPod(ds, node: node, hash: hash)
            return
        }
        if !shouldRun {
            // Labels no longer match (or the template moved elsewhere): every daemon pod goes.
            plan.delete = owned.filter { $0.metadata.deletionTimestamp == nil }.map(\.uid)
            return
        }
        var running: [Pod] = []
        for pod in owned where pod.metadata.deletionTimestamp == nil {
            switch pod.status?.phase {
            case .failed?:
                // The controller fights the kubelet here (a rejected pod comes back rejected): backed off.
                if failedPodBackoff { continue }
                plan.deletesFailedPod = true
                plan.delete.append(pod.uid)
                plan.events.append(
                    ControllerEvent(
                        type: "Warning", reason: "FailedDaemonPod",
                        message: "Found failed daemon pod \(pod.namespace)/\(pod.name) on node \(node.name), will try to kill it"))
            case .succeeded?:
                plan.delete.append(pod.uid)
                plan.events.append(
                    ControllerEvent(
                        type: "Normal", reason: "SucceededDaemonPod",
                        message: "Found succeeded daemon pod \(pod.namespace)/\(pod.name) on node \(node.name), will try to delete it"))
            default:
                running.append(pod)
            }
        }
        let surge = allowsSurge(ds)
        if !surge {
            // More than one running: all but the oldest go. None running (a deleting one is still
            // there): nothing is created until it is gone — never two pods without surge.
            plan.delete += running.sorted(by: oldestFirst).dropFirst().map(\.uid)
            return
        }
        if running.count <= 1 {
            if running.isEmpty { plan.create = newPod(ds, node: node, hash: hash) }
            return
        }
        // Surging: keep the oldest new pod and, while it is not available yet, the oldest old
        // pod if that one is ready; everything else goes.
        var oldestNew: Pod?
        var oldestOld: Pod?
        for pod in running.sorted(by: oldestFirst) {
            if pod.metadata.labels?[DaemonSet.revisionHashLabel] == hash {
                if oldestNew == nil {
                    oldestNew = pod
                    continue
                }
            } else if oldestOld == nil {
                oldestOld = pod
                continue
            }
            plan.delete.append(pod.uid)
        }
        if let oldestNew, let oldestOld {
            let minReady = TimeInterval(ds.spec.minReadySeconds ?? 0)
            if ReplicaSetController.readySince(oldestOld) == nil
                || ReplicaSetController.isAvailable(oldestNew, minReadySeconds: minReady, now: now)
            {
                plan.delete.append(oldestOld.uid)
            }
        }
    }

    /// `podByCreationTimestampAndPhase`: older first, then by name.
    static func oldestFirst(_ a: Pod, _ b: Pod) -> Bool {
        let (ta, tb) = (a.metadata.creationTimestamp?.date ?? .distantFuture, b.metadata.creationTimestamp?.date ?? .distantFuture)
        return ta != tb ? ta < tb : a.name < b.name
    }

    // MARK: rollingUpdate (`update.go`)

    /// `util.AllowsSurge`: RollingUpdate with a non-zero maxSurge.
    static func allowsSurge(_ ds: DaemonSet) -> Bool {
        guard ds.strategyType == DaemonSet.UpdateStrategy.rollingUpdate, let surge = ds.spec.updateStrategy?.rollingUpdate?.maxSurge
        else { return false }
        return Deployment.intOrPercentValue(surge) != 0
    }

    /// `updatedDesiredNodeCounts`: both rounded up from the nodes that should run the pod; none
    /// of either becomes maxUnavailable 1.
    static func fenceposts(_ ds: DaemonSet, desired: Int32) -> (surge: Int, unavailable: Int) {
        let rolling = ds.spec.updateStrategy?.rollingUpdate
        var unavailable = Int(Deployment.scaledValue(rolling?.maxUnavailable, total: desired, roundUp: true))
        let surge = allowsSurge(ds) ? Int(Deployment.scaledValue(rolling?.maxSurge, total: desired, roundUp: true)) : 0
        if desired > 0 && unavailable == 0 && surge == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    /// `IsPodUpdated`: the current revision's hash, or the current template generation.
    static func isUpdated(_ pod: Pod, ds: DaemonSet, hash: String) -> Bool {
        let labels = pod.metadata.labels ?? [:]
        let generationMatches = ds.templateGeneration.map { labels[DaemonSet.templateGenerationLabel] == String($0) } ?? false
        return (!hash.isEmpty && labels[DaemonSet.revisionHashLabel] == hash) || generationMatches
    }

    /// `findUpdatedPodsOnNode`: nil when the node has more than one new or old pod (manage cleans up).
    static func updatedPodsOnNode(_ owned: [Pod], ds: DaemonSet, hash: String) -> (new: Pod?, old: Pod?)? {
        var new: Pod?
        var old: Pod?
        for pod in owned where pod.metadata.deletionTimestamp == nil {
            if isUpdated(pod, ds: ds, hash: hash) {
                if new != nil { return nil }
                new = pod
            } else {
                if old != nil { return nil }
                old = pod
            }
        }
        return (new, old)
    }

    /// The old pod to delete, if any. Without surge an old pod goes while fewer than
    /// maxUnavailable pods are unavailable (manage then creates the new one once it is gone);
    /// with surge a new pod is created next to an available old one, which goes once the new one
    /// is available.
    static func rollingUpdate(
        _ ds: DaemonSet, node: NodeIdentity, owned: [Pod], shouldRun: Bool, hash: String, now: Date, into plan: inout DaemonSetPlan
    )
        -> [String]
    {
        guard !owned.isEmpty else { return [] }
        let desired: Int32 = shouldRun ? 1 : 0
        let (maxSurge, maxUnavailable) = fenceposts(ds, desired: desired)
        let minReady = TimeInterval(ds.spec.minReadySeconds ?? 0)
        func available(_ pod: Pod) -> Bool { ReplicaSetController.isAvailable(pod, minReadySeconds: minReady, now: now) }
        guard let (newPod, oldPod) = updatedPodsOnNode(owned, ds: ds, hash: hash) else { return [] }

        if maxSurge == 0 {
            guard let oldPod, newPod == nil else { return [] }
            // An unavailable old pod is replaced at once; an available one within maxUnavailable.
            if !available(oldPod) || maxUnavailable > 0 { return [oldPod.uid] }
            return []
        }
        guard let oldPod else { return [] }
        if let newPod {
            return available(newPod) ? [oldPod.uid] : []
        }
        if !available(oldPod) {
            // Not available and not supposed to run here: nothing to keep it for.
            if !shouldRun { return [oldPod.uid] }
            plan.create = self.newPod(ds, node: node, hash: hash)
            return []
        }
        if !shouldRun {
            // `shouldNotRunPodsToDelete`: available pods beyond the desired count (0 here) go.
            return [oldPod.uid]
        }
        plan.create = self.newPod(ds, node: node, hash: hash)
        return []
    }

    // MARK: pods

    /// `CreatePodTemplate` plus `ReplaceDaemonSetPodNodeNameNodeAffinity`: the template with the
    /// daemon tolerations, the template-generation and revision-hash labels, and a required node
    /// affinity to this node by name; `generateName` `<daemonset>-` and a controller reference.
    public static func newPod(_ ds: DaemonSet, node: NodeIdentity?, hash: String) -> Pod? {
        guard var template = ds.spec.template else { return nil }
        var labels = template.metadata?.labels ?? [:]
        if let generation = ds.templateGeneration { labels[DaemonSet.templateGenerationLabel] = String(generation) }
        if !hash.isEmpty { labels[DaemonSet.revisionHashLabel] = hash }
        var meta = template.metadata ?? ObjectMeta()
        meta.labels = labels
        template.metadata = meta
        template.spec.tolerations = daemonTolerations(template.spec)
        if let node { template.spec.affinity = nodeNameAffinity(template.spec.affinity, nodeName: node.name) }
        return ReplicaSetController.pod(from: template, owner: ownerReference(ds), namespace: ds.namespace)
    }

    /// `AddOrUpdateDaemonPodTolerations`: a daemon pod survives node problems (and ignores cordons).
    static func daemonTolerations(_ spec: PodSpec) -> [Toleration] {
        var taints: [(key: String, effect: String)] = [
            ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ]
        if spec.hostNetwork == true { taints.append(("node.kubernetes.io/network-unavailable", "NoSchedule")) }
        var tolerations = spec.tolerations ?? []
        for taint in taints {
            let toleration = Toleration(key: taint.key, operator: "Exists", effect: taint.effect)
            // `AddOrUpdateTolerationInPodSpec`: an equal toleration is replaced in place.
            if let i = tolerations.firstIndex(where: {
                $0.key == toleration.key && $0.effect == toleration.effect && ($0.operator ?? "Equal") == "Exists" && ($0.value ?? "") == ""
            }) {
                tolerations[i] = toleration
            } else {
                tolerations.append(toleration)
            }
        }
        return tolerations
    }

    /// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required terms become `metadata.name In [node]`.
    static func nodeNameAffinity(_ affinity: Affinity?, nodeName: String) -> Affinity {
        let term = NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: [nodeName])])
        var affinity = affinity ?? Affinity()
        var nodeAffinity = affinity.nodeAffinity ?? NodeAffinity()
        nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: [term])
        affinity.nodeAffinity = nodeAffinity
        return affinity
    }

    // MARK: history

    /// `constructHistory`: the owned revision holding the current template (created with
    /// revision max+1 if there is none, or raised to max+1 if it is an older one) and the others.
    static func history(_ ds: DaemonSet, revisions: [ControllerRevision])
        -> (hash: String, create: ControllerRevision?, update: ControllerRevision?, old: [ControllerRevision], collisionCount: Int32?)
    {
        guard let template = ds.spec.template else { return ("", nil, nil, [], nil) }
        let owned = revisions.filter { ReplicaSetController.controllerRef(of: $0.metadata)?.uid == ds.metadata.uid && $0.namespace == ds.namespace }
        var current: [ControllerRevision] = []
        var old: [ControllerRevision] = []
        for revision in owned {
            if revision.daemonSetTemplate == template { current.append(revision) } else { old.append(revision) }
        }
        let next = (old.map(\.revision).max() ?? 0) + 1
        // `dedupCurHistories`: the highest revision wins (the others are kept as old ones here).
        if let keep = current.max(by: { $0.revision < $1.revision }) {
            old += current.filter { $0.name != keep.name }
            let hash = keep.metadata.labels?[DaemonSet.revisionHashLabel] ?? keep.name
            var update: ControllerRevision?
            if keep.revision < next {
                var raised = keep
                raised.revision = next
                update = raised
            }
            return (hash, nil, update, old, nil)
        }
        // `snapshot`: named <ds>-<hash>; a name taken by a revision with another template
        // raises collisionCount, giving another hash on the next sync.
        var collisionCount = ds.status?.collisionCount
        let hash = DeploymentController.podTemplateHash(template, collisionCount: collisionCount)
        let name = "\(ds.name)-\(hash)"
        if revisions.contains(where: { $0.name == name && $0.namespace == ds.namespace }) {
            collisionCount = (collisionCount ?? 0) + 1
            return (hash, nil, nil, old, collisionCount)
        }
        var meta = ObjectMeta(name: name, namespace: ds.namespace)
        meta.labels = (template.metadata?.labels ?? [:]).merging([DaemonSet.revisionHashLabel: hash]) { _, new in new }
        meta.annotations = ds.metadata.annotations
        meta.ownerReferences = [ownerReference(ds)]
        let revision = ControllerRevision(metadata: meta, data: ControllerRevision.daemonSetData(template), revision: next)
        return (hash, revision, nil, old, nil)
    }

    /// `cleanupHistory`: beyond `revisionHistoryLimit` old revisions, the lowest go first,
    /// except those a pod still runs.
    static func cleanupHistory(_ ds: DaemonSet, old: [ControllerRevision], owned: [Pod]) -> [String] {
        var toKill = old.count - Int(ds.spec.revisionHistoryLimit ?? 10)
        guard toKill > 0 else { return [] }
        let live = Set(owned.compactMap { $0.metadata.labels?[DaemonSet.revisionHashLabel] })
        var names: [String] = []
        for revision in old.sorted(by: { $0.revision < $1.revision }) where toKill > 0 {
            if live.contains(revision.metadata.labels?[DaemonSet.revisionHashLabel] ?? "") { continue }
            names.append(revision.name)
            toKill -= 1
        }
        return names
    }

    // MARK: status (`updateDaemonSetStatus`)

    /// Counted over the pods before this sync's changes; a finished pod being deleted does not count.
    public static func status(_ ds: DaemonSet, owned: [Pod], shouldRun: Bool, hash: String, now: Date, collisionCount: Int32?)
        -> DaemonSet.Status
    {
        var status = DaemonSet.Status()
        let pods = owned.filter { !(($0.status?.phase?.isTerminal ?? false) && $0.metadata.deletionTimestamp != nil) }
        var ready: Int32 = 0
        var available: Int32 = 0
        var updated: Int32 = 0
        if shouldRun {
            status.desiredNumberScheduled = 1
            if let pod = pods.sorted(by: oldestFirst).first {
                status.currentNumberScheduled = 1
                if ReplicaSetController.readySince(pod) != nil {
                    ready = 1
                    if ReplicaSetController.isAvailable(pod, minReadySeconds: TimeInterval(ds.spec.minReadySeconds ?? 0), now: now) {
                        available = 1
                    }
                }
                if isUpdated(pod, ds: ds, hash: hash) { updated = 1 }
            }
        } else if !pods.isEmpty {
            status.numberMisscheduled = 1
        }
        status.numberReady = ready
        status.numberAvailable = available
        status.updatedNumberScheduled = updated
        status.numberUnavailable = status.desiredNumberScheduled - available
        status.observedGeneration = ds.metadata.generation
        status.collisionCount = collisionCount
        return status
    }

    // MARK: kubectl rollout (DaemonSetStatusViewer, DaemonSetHistoryViewer, DaemonSetRollbacker)

    public enum RollbackError: Error, Equatable, CustomStringConvertible {
        case noLastRevision
        case revisionNotFound(Int64)
        case alreadyMatches(Int64)

        public var description: String {
            switch self {
            case .noLastRevision: return "no last revision to roll back to"
            case .revisionNotFound(let r): return "unable to find specified revision \(r) in history"
            case .alreadyMatches(let r): return "skipped rollback (current template already matches revision \(r))"
            }
        }
    }

    /// The DaemonSet's own revisions, lowest first.
    public static func revisions(of ds: DaemonSet, in revisions: [ControllerRevision]) -> [ControllerRevision] {
        revisions.filter { ReplicaSetController.controllerRef(of: $0.metadata)?.uid == ds.metadata.uid }
            .sorted { $0.revision < $1.revision }
    }

    /// `rollout undo daemonset/NAME [--to-revision N]`: revision N, or the one before the latest.
    public static func rollbackTarget(_ ds: DaemonSet, revisions all: [ControllerRevision], toRevision: Int64)
        -> Result<ControllerRevision, RollbackError>
    {
        let history = revisions(of: ds, in: all)
        let target: ControllerRevision?
        if toRevision == 0 {
            guard history.count >= 2 else { return .failure(.noLastRevision) }
            target = history[history.count - 2]
        } else {
            target = history.first { $0.revision == toRevision }
        }
        guard let target, let template = target.daemonSetTemplate else { return .failure(.revisionNotFound(toRevision)) }
        if template == ds.spec.template { return .failure(.alreadyMatches(toRevision)) }
        return .success(target)
    }

    /// `rollout status daemonset/NAME`: the message and whether the rollout is done.
    public static func rolloutStatus(_ ds: DaemonSet) -> Result<(message: String, done: Bool), RolloutStatusError> {
        guard ds.strategyType == DaemonSet.UpdateStrategy.rollingUpdate else { return .failure(.notRollingUpdate) }
        let s = ds.status ?? DaemonSet.Status()
        guard (ds.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) else {
            return .success(("Waiting for daemon set spec update to be observed...\n", false))
        }
        let updated = s.updatedNumberScheduled ?? 0
        if updated < s.desiredNumberScheduled {
            return .success((
                "Waiting for daemon set \"\(ds.name)\" rollout to finish: \(updated) out of \(s.desiredNumberScheduled) new pods have been updated...\n",
                false
            ))
        }
        if (s.numberAvailable ?? 0) < s.desiredNumberScheduled {
            return .success((
                "Waiting for daemon set \"\(ds.name)\" rollout to finish: \(s.numberAvailable ?? 0) of \(s.desiredNumberScheduled) updated pods are available...\n",
                false
            ))
        }
        return .success(("daemon set \"\(ds.name)\" successfully rolled out\n", true))
    }

    public enum RolloutStatusError: Error, Equatable, CustomStringConvertible {
        case notRollingUpdate
        public var description: String { "rollout status is only available for RollingUpdate strategy type" }
    }
}
