import Foundation
import SwiftletKube

/// What one sync of the deployment controller (`pkg/controller/deployment`) decides, without I/O:
/// the ReplicaSets it adopts, releases, creates, scales (with their annotations) and deletes, and
/// the Deployment it writes back (its revision annotation and `.status`).
public struct DeploymentPlan: Sendable {
    /// ReplicaSets to create, in order.
    public var create: [ReplicaSet] = []
    /// Existing ReplicaSets as they must now be (replicas, annotations, ownerReferences), by name.
    public var update: [String: ReplicaSet] = [:]
    /// Names of old ReplicaSets beyond `revisionHistoryLimit`.
    public var delete: [String] = []
    /// The Deployment with its revision annotation and status; nil when nothing changed.
    public var deployment: Deployment?
    /// `ScalingReplicaSet`-style events: (reason, message).
    public var events: [(reason: String, message: String)] = []
}

/// The deployment controller's decisions, following `syncDeployment`: `checkPausedConditions`,
/// then `sync` (paused or a scaling event: proportional scaling, no new revision), else
/// `rolloutRecreate` or `rolloutRolling`; each ends with the status and conditions of
/// `syncRolloutStatus` / `syncDeploymentStatus`. Like the Go controller it takes one step per
/// sync; the next sync (after the ReplicaSets' pods changed) takes the next one.
public enum DeploymentController {
    public static let newRSAvailableReason = "NewReplicaSetAvailable"
    public static let foundNewRSReason = "FoundNewReplicaSet"
    public static let newReplicaSetReason = "NewReplicaSetCreated"
    public static let replicaSetUpdatedReason = "ReplicaSetUpdated"
    public static let timedOutReason = "ProgressDeadlineExceeded"
    public static let pausedReason = "DeploymentPaused"
    public static let resumedReason = "DeploymentResumed"
    public static let minimumReplicasAvailable = "MinimumReplicasAvailable"
    public static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
    /// `--deployment-controller` default of the revision-history annotation's length.
    public static let revisionHistoryLimitInChars = 2000

    public static func plan(_ deployment: Deployment, replicaSets: [ReplicaSet], pods: [Pod], now: Date) -> DeploymentPlan {
        var sync = DeploymentSync(d: deployment, now: now)
        sync.claim(replicaSets)
        sync.run(pods: pods)
        return sync.plan
    }

    // MARK: deployment_util

    /// `ComputeHash`: FNV-32a over the template and the collision count, rendered with
    /// `rand.SafeEncodeString`. The template is hashed as its canonical (sorted-key) JSON, where
    /// Go hashes its spew dump: the same template always gives the same hash here, but not the
    /// same hash as a Kubernetes cluster would.
    public static func podTemplateHash(_ template: PodTemplateSpec, collisionCount: Int32?) -> String {
        var hash: UInt32 = 2_166_136_261
        func write(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt32(byte)
                hash = hash &* 16_777_619
            }
        }
        write((try? KubeJSON.encode(template)) ?? Data())
        if let collisionCount {
            // `binary.LittleEndian.PutUint32` into an 8-byte buffer: 4 bytes and 4 zeros.
            let n = UInt32(bitPattern: collisionCount)
            write([UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(hash))
    }

    /// `rand.SafeEncodeString`: every byte mapped onto consonants and digits that cannot spell words.
    public static func safeEncode(_ s: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(s.utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// `EqualIgnoreHash`: the templates without their `pod-template-hash` label.
    public static func equalIgnoringHash(_ a: PodTemplateSpec?, _ b: PodTemplateSpec?) -> Bool {
        func strip(_ t: PodTemplateSpec?) -> PodTemplateSpec? {
            guard var t else { return nil }
            t.metadata?.labels?[DeploymentAnnotations.podTemplateHash] = nil
            if t.metadata?.labels?.isEmpty ?? false { t.metadata?.labels = nil }
            return t
        }
        return strip(a) == strip(b)
    }

    public static func revision(_ rs: ReplicaSet) -> Int64 {
        rs.metadata.annotations?[DeploymentAnnotations.revision].flatMap { Int64($0) } ?? 0
    }

    /// `ResolveFenceposts`: surge rounds up, unavailable down; both 0 makes unavailable 1.
    public static func fenceposts(_ d: Deployment) -> (surge: Int32, unavailable: Int32) {
        let rolling = d.spec.strategy?.rollingUpdate
        let surge = Deployment.scaledValue(rolling?.maxSurge ?? .int(0), total: d.replicas, roundUp: true)
        var unavailable = Deployment.scaledValue(rolling?.maxUnavailable ?? .int(0), total: d.replicas, roundUp: false)
        if surge == 0, unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    /// `MaxSurge`.
    public static func maxSurge(_ d: Deployment) -> Int32 {
        d.isRollingUpdate ? fenceposts(d).surge : 0
    }

    /// `MaxUnavailable`, at most the replicas.
    public static func maxUnavailable(_ d: Deployment) -> Int32 {
        guard d.isRollingUpdate, d.replicas != 0 else { return 0 }
        return min(fenceposts(d).unavailable, d.replicas)
    }

    static func hasProgressDeadline(_ d: Deployment) -> Bool {
        guard let s = d.spec.progressDeadlineSeconds else { return false }
        return s != Int32.max
    }

    /// `DeploymentComplete`.
    public static func isComplete(_ d: Deployment, _ status: Deployment.Status) -> Bool {
        status.updatedReplicas ?? 0 == d.replicas && status.replicas ?? 0 == d.replicas
            && status.availableReplicas ?? 0 == d.replicas && status.observedGeneration ?? 0 >= d.metadata.generation ?? 0
    }

    /// `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas.
    static func isProgressing(_ d: Deployment, _ new: Deployment.Status) -> Bool {
        let old = d.status ?? Deployment.Status()
        let oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
        let newOld = (new.replicas ?? 0) - (new.updatedReplicas ?? 0)
        return (new.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
            || (new.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (new.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    }

    /// `DeploymentTimedOut`: the Progressing condition was last updated longer ago than the deadline.
    static func hasTimedOut(_ d: Deployment, _ status: Deployment.Status, now: Date) -> Bool {
        guard hasProgressDeadline(d), let cond = status.condition(Deployment.Condition.progressing) else { return false }
        if cond.reason == newRSAvailableReason { return false }
        if cond.reason == timedOutReason { return true }
        let from = cond.lastUpdateTime?.date ?? now
        return from.addingTimeInterval(TimeInterval(d.spec.progressDeadlineSeconds ?? 0)) < now
    }

    /// `SetDeploymentCondition`: the same status and reason changes nothing; the same status keeps
    /// its lastTransitionTime.
    static func setCondition(_ status: inout Deployment.Status, _ condition: Deployment.Condition) {
        var condition = condition
        let current = status.condition(condition.type)
        if let current, current.status == condition.status, current.reason == condition.reason { return }
        if let current, current.status == condition.status { condition.lastTransitionTime = current.lastTransitionTime }
        status.conditions = (status.conditions ?? []).filter { $0.type != condition.type } + [condition]
    }

    static func removeCondition(_ status: inout Deployment.Status, _ type: String) {
        status.conditions = status.conditions?.filter { $0.type != type }
        if status.conditions?.isEmpty ?? false { status.conditions = nil }
    }

    public static func ownerReference(_ d: Deployment) -> OwnerReference {
        .controllerRef(apiVersion: Deployment.apiVersion, kind: Deployment.kind, name: d.name, uid: d.metadata.uid ?? "")
    }

    /// kubectl's `rollout undo`: the ReplicaSet of `toRevision` (0: the one before the newest),
    /// or the error kubectl prints.
    public static func rollbackTarget(_ d: Deployment, replicaSets: [ReplicaSet], toRevision: Int64) -> Result<ReplicaSet, RollbackError> {
        let owned = replicaSets.filter { ReplicaSetController.controllerRef(of: $0.metadata)?.uid == d.metadata.uid }
        let byRevision = Dictionary(owned.map { (revision($0), $0) }, uniquingKeysWith: { a, _ in a })
        let target: ReplicaSet?
        if toRevision == 0 {
            let sorted = byRevision.keys.sorted()
            guard sorted.count >= 2 else { return .failure(.noHistory(d.name)) }
            target = byRevision[sorted[sorted.count - 2]]
        } else {
            target = byRevision[toRevision]
        }
        guard let target else { return .failure(.revisionNotFound(toRevision)) }
        if equalIgnoringHash(target.spec.template, d.spec.template) {
            return .failure(.alreadyMatches(revision(target)))
        }
        return .success(target)
    }

    /// The Deployment rolled back to `rs` (kubectl's `DeploymentRollbacker`): the ReplicaSet's
    /// template without its hash label, and its copied annotations.
    public static func rolledBack(_ d: Deployment, to rs: ReplicaSet) -> Deployment {
        var d = d
        var template = rs.spec.template
        template?.metadata?.labels?[DeploymentAnnotations.podTemplateHash] = nil
        d.spec.template = template
        var annotations = d.metadata.annotations ?? [:]
        for (k, v) in rs.metadata.annotations ?? [:] where !DeploymentAnnotations.notCopied.contains(k) {
            annotations[k] = v
        }
        d.metadata.annotations = annotations.isEmpty ? nil : annotations
        return d
    }

    public enum RollbackError: Error, Equatable, CustomStringConvertible {
        case noHistory(String)
        case revisionNotFound(Int64)
        case alreadyMatches(Int64)

        public var description: String {
            switch self {
            case .noHistory(let name): return "no rollout history found for deployment \"\(name)\""
            case .revisionNotFound(let r): return "unable to find specified revision \(r) in history"
            case .alreadyMatches(let r): return "skipped rollback (current template already matches revision \(r))"
            }
        }
    }
}

/// One sync's working state: the Deployment and its ReplicaSets as the steps change them.
struct DeploymentSync {
    var d: Deployment
    let original: Deployment
    let now: Date
    var sets: [ReplicaSet] = []
    var plan = DeploymentPlan()
    var created: Set<String> = []
    /// Names taken by ReplicaSets of the namespace that are not this Deployment's.
    var foreignNames: Set<String> = []

    init(d: Deployment, now: Date) {
        self.d = d
        self.original = d
        self.now = now
    }

    var kubeNow: KubeTime { KubeTime(now) }
    var status: Deployment.Status { d.status ?? Deployment.Status() }

    /// `ClaimReplicaSets`: owned sets that still match, orphans that match (adopted); owned sets
    /// that no longer match are released.
    mutating func claim(_ all: [ReplicaSet]) {
        let selector = d.spec.selector ?? WorkloadSelector()
        let owner = DeploymentController.ownerReference(d)
        for var rs in all where rs.namespace == d.namespace {
            let matches = selector.matches(rs.spec.template?.metadata?.labels) || selector.matches(rs.metadata.labels)
            if let ref = ReplicaSetController.controllerRef(of: rs.metadata) {
                guard ref.uid == owner.uid else {
                    foreignNames.insert(rs.name)
                    continue
                }
                if matches {
                    sets.append(rs)
                } else {
                    rs.metadata.ownerReferences = rs.metadata.ownerReferences?.filter { $0.uid != owner.uid }
                    if rs.metadata.ownerReferences?.isEmpty ?? false { rs.metadata.ownerReferences = nil }
                    plan.update[rs.name] = rs
                }
            } else if matches, rs.metadata.deletionTimestamp == nil, d.metadata.deletionTimestamp == nil {
                rs.metadata.ownerReferences = (rs.metadata.ownerReferences ?? []) + [owner]
                plan.update[rs.name] = rs
                sets.append(rs)
            } else {
                foreignNames.insert(rs.name)
            }
        }
        // `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
        sets.sort {
            let (a, b) = ($0.metadata.creationTimestamp?.date ?? now, $1.metadata.creationTimestamp?.date ?? now)
            return a != b ? a < b : $0.name < $1.name
        }
    }

    func index(_ name: String) -> Int? { sets.firstIndex { $0.name == name } }
    func current(_ name: String?) -> ReplicaSet? { name.flatMap { n in sets.first { $0.name == n } } }

    /// Records a changed ReplicaSet (an update, or the creation still pending).
    mutating func save(_ rs: ReplicaSet) {
        if let i = index(rs.name) { sets[i] = rs } else { sets.append(rs) }
        if created.contains(rs.name) {
            if let i = plan.create.firstIndex(where: { $0.name == rs.name }) { plan.create[i] = rs }
        } else {
            plan.update[rs.name] = rs
        }
    }

    // MARK: syncDeployment

    mutating func run(pods: [Pod]) {
        defer { finish() }
        if d.metadata.deletionTimestamp != nil {
            let (newRS, oldRSs) = allReplicaSets(create: false)
            syncDeploymentStatus(newRS: newRS, oldRSs: oldRSs)
            return
        }
        checkPausedConditions()
        if d.spec.paused == true || isScalingEvent() {
            syncScale()
            return
        }
        if d.isRollingUpdate {
            rolloutRolling()
        } else {
            rolloutRecreate(pods: pods)
        }
    }

    mutating func finish() {
        if d != original { plan.deployment = d }
    }

    /// `checkPausedConditions`: Progressing Unknown with DeploymentPaused / DeploymentResumed,
    /// unless a timeout is already reported.
    mutating func checkPausedConditions() {
        guard DeploymentController.hasProgressDeadline(d) else { return }
        let cond = status.condition(Deployment.Condition.progressing)
        if cond?.reason == DeploymentController.timedOutReason { return }
        let pausedExists = cond?.reason == DeploymentController.pausedReason
        var s = status
        if d.spec.paused == true, !pausedExists {
            DeploymentController.setCondition(
                &s, .init(type: Deployment.Condition.progressing, status: "Unknown", reason: DeploymentController.pausedReason, message: "Deployment is paused", now: kubeNow))
        } else if d.spec.paused != true, pausedExists {
            DeploymentController.setCondition(
                &s, .init(type: Deployment.Condition.progressing, status: "Unknown", reason: DeploymentController.resumedReason, message: "Deployment is resumed", now: kubeNow))
        } else {
            return
        }
        d.status = s
    }

    /// `isScalingEvent`: an active set annotated with other desired replicas than the spec.
    func isScalingEvent() -> Bool {
        let (newRS, oldRSs) = findNewAndOld()
        for rs in ([newRS].compactMap { $0 } + oldRSs) where rs.replicas > 0 {
            if let desired = rs.metadata.annotations?[DeploymentAnnotations.desiredReplicas].flatMap(Int32.init), desired != d.replicas {
                return true
            }
        }
        return false
    }

    /// `FindNewReplicaSet` / `FindOldReplicaSets`: the oldest set whose template equals the
    /// Deployment's (ignoring the hash label), and all others.
    func findNewAndOld() -> (new: ReplicaSet?, old: [ReplicaSet]) {
        let newRS = sets.first { DeploymentController.equalIgnoringHash($0.spec.template, d.spec.template) }
        return (newRS, sets.filter { $0.name != newRS?.name })
    }

    // MARK: getAllReplicaSetsAndSyncRevision / getNewReplicaSet

    mutating func allReplicaSets(create: Bool) -> (new: String?, old: [String]) {
        let (existing, oldRSs) = findNewAndOld()
        let maxOld = oldRSs.map(DeploymentController.revision).max() ?? 0
        let newRevision = String(maxOld + 1)
        if var rs = existing {
            var changed = setNewReplicaSetAnnotations(&rs, newRevision: newRevision, exists: true)
            if rs.spec.minReadySeconds != d.spec.minReadySeconds {
                rs.spec.minReadySeconds = d.spec.minReadySeconds
                changed = true
            }
            if changed { save(rs) }
            setDeploymentRevision(rs.metadata.annotations?[DeploymentAnnotations.revision])
            if status.condition(Deployment.Condition.progressing) == nil {
                var s = status
                DeploymentController.setCondition(
                    &s, .init(type: Deployment.Condition.progressing, status: "True", reason: DeploymentController.foundNewRSReason,
                        message: "Found new replica set \"\(rs.name)\"", now: kubeNow))
                d.status = s
            }
            return (rs.name, oldRSs.map(\.name))
        }
        guard create, var template = d.spec.template else { return (nil, oldRSs.map(\.name)) }
        let hash = DeploymentController.podTemplateHash(template, collisionCount: status.collisionCount)
        var meta = template.metadata ?? ObjectMeta()
        meta.labels = (meta.labels ?? [:]).merging([DeploymentAnnotations.podTemplateHash: hash]) { _, new in new }
        template.metadata = meta
        var selector = d.spec.selector ?? WorkloadSelector()
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([DeploymentAnnotations.podTemplateHash: hash]) { _, new in new }
        var rsMeta = ObjectMeta(name: d.name + "-" + hash, namespace: d.namespace, labels: meta.labels)
        rsMeta.ownerReferences = [DeploymentController.ownerReference(d)]
        var rs = ReplicaSet(metadata: rsMeta, spec: .init(replicas: 0, selector: selector, template: template))
        rs.spec.minReadySeconds = d.spec.minReadySeconds
        rs.spec.replicas = newRSNewReplicas(all: oldRSs, newReplicas: 0)
        _ = setNewReplicaSetAnnotations(&rs, newRevision: newRevision, exists: false)
        if foreignNames.contains(rs.name) || sets.contains(where: { $0.name == rs.name }) {
            // A set of that name that is not ours or has another template: `collisionCount` + 1
            // gives the next sync another hash.
            var s = status
            s.collisionCount = (s.collisionCount ?? 0) + 1
            d.status = s
            return (nil, oldRSs.map(\.name))
        }
        created.insert(rs.name)
        plan.create.append(rs)
        sets.append(rs)
        plan.events.append(("ScalingReplicaSet", "Scaled up replica set \(rs.name) from 0 to \(rs.replicas)"))
        var s = status
        DeploymentController.setCondition(
            &s, .init(type: Deployment.Condition.progressing, status: "True", reason: DeploymentController.newReplicaSetReason,
                message: "Created new replica set \"\(rs.name)\"", now: kubeNow))
        d.status = s
        setDeploymentRevision(newRevision)
        return (rs.name, oldRSs.map(\.name))
    }

    mutating func setDeploymentRevision(_ revision: String?) {
        guard let revision, d.metadata.annotations?[DeploymentAnnotations.revision] != revision else { return }
        var annotations = d.metadata.annotations ?? [:]
        annotations[DeploymentAnnotations.revision] = revision
        d.metadata.annotations = annotations
    }

    /// `SetNewReplicaSetAnnotations`: the Deployment's annotations copied, the revision raised to
    /// `newRevision` (a re-used set keeps its earlier revisions in `revision-history`), and on
    /// creation the replica annotations.
    mutating func setNewReplicaSetAnnotations(_ rs: inout ReplicaSet, newRevision: String, exists: Bool) -> Bool {
        var annotations = rs.metadata.annotations ?? [:]
        var changed = false
        for (k, v) in d.metadata.annotations ?? [:] where !DeploymentAnnotations.notCopied.contains(k) && annotations[k] != v {
            annotations[k] = v
            changed = true
        }
        let oldRevision = annotations[DeploymentAnnotations.revision]
        let oldInt: Int64
        if let oldRevision {
            guard let parsed = Int64(oldRevision) else { return changed }
            oldInt = parsed
        } else {
            oldInt = 0
        }
        let newInt = Int64(newRevision) ?? 0
        if oldInt < newInt {
            annotations[DeploymentAnnotations.revision] = newRevision
            changed = true
        }
        if let oldRevision, oldInt < newInt {
            let history = annotations[DeploymentAnnotations.revisionHistory] ?? ""
            if history.isEmpty {
                annotations[DeploymentAnnotations.revisionHistory] = oldRevision
            } else {
                var revisions = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                var total = history.count + oldRevision.count + 1
                var start = 0
                while total > DeploymentController.revisionHistoryLimitInChars, start < revisions.count {
                    total -= revisions[start].count + 1
                    start += 1
                }
                if total <= DeploymentController.revisionHistoryLimitInChars {
                    revisions = Array(revisions[start...]) + [oldRevision]
                    annotations[DeploymentAnnotations.revisionHistory] = revisions.joined(separator: ",")
                }
            }
        }
        if !exists {
            if setReplicasAnnotations(&annotations, desired: d.replicas, max: d.replicas + DeploymentController.maxSurge(d)) { changed = true }
        }
        rs.metadata.annotations = annotations
        return changed
    }

    func setReplicasAnnotations(_ annotations: inout [String: String], desired: Int32, max: Int32) -> Bool {
        var changed = false
        if annotations[DeploymentAnnotations.desiredReplicas] != String(desired) {
            annotations[DeploymentAnnotations.desiredReplicas] = String(desired)
            changed = true
        }
        if annotations[DeploymentAnnotations.maxReplicas] != String(max) {
            annotations[DeploymentAnnotations.maxReplicas] = String(max)
            changed = true
        }
        return changed
    }

    /// `NewRSNewReplicas`: RollingUpdate grows the new set within replicas + maxSurge; Recreate
    /// sets it to the replicas at once.
    func newRSNewReplicas(all: [ReplicaSet], newReplicas: Int32) -> Int32 {
        guard d.isRollingUpdate else { return d.replicas }
        let surge = Deployment.scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? .int(0), total: d.replicas, roundUp: true)
        let currentPodCount = all.reduce(Int32(0)) { $0 + $1.replicas }
        let maxTotal = d.replicas + surge
        if currentPodCount >= maxTotal { return newReplicas }
        let up = min(maxTotal - currentPodCount, d.replicas - newReplicas)
        return newReplicas + up
    }

    // MARK: scaling

    /// `scaleReplicaSet`: the new size and the replica annotations; true when anything changed.
    @discardableResult
    mutating func scale(_ name: String, to replicas: Int32) -> Bool {
        guard var rs = current(name) else { return false }
        let sizeChanged = rs.replicas != replicas
        var annotations = rs.metadata.annotations ?? [:]
        let annotationsChanged = setReplicasAnnotations(&annotations, desired: d.replicas, max: d.replicas + DeploymentController.maxSurge(d))
        guard sizeChanged || annotationsChanged else { return false }
        if sizeChanged {
            let direction = replicas > rs.replicas ? "up" : "down"
            plan.events.append(("ScalingReplicaSet", "Scaled \(direction) replica set \(rs.name) from \(rs.replicas) to \(replicas)"))
        }
        rs.spec.replicas = replicas
        rs.metadata.annotations = annotations
        save(rs)
        return sizeChanged
    }

    func replicaCount(_ names: [String]) -> Int32 { names.compactMap { current($0) }.reduce(0) { $0 + $1.replicas } }
    func active(_ names: [String]) -> [String] { names.filter { (current($0)?.replicas ?? 0) > 0 } }
    func created(_ name: String) -> Date { current(name)?.metadata.creationTimestamp?.date ?? now }
    func byCreation(_ names: [String]) -> [String] {
        names.sorted { created($0) != created($1) ? created($0) < created($1) : $0 < $1 }
    }

    /// `sync`: scale (proportionally while a rollout is in progress), clean up a paused
    /// Deployment's history, write the status. Never a new revision.
    mutating func syncScale() {
        let (newRS, oldRSs) = allReplicaSets(create: false)
        scaleProportionally(newRS: newRS, oldRSs: oldRSs)
        if d.spec.paused == true { cleanup(oldRSs: oldRSs) }
        syncDeploymentStatus(newRS: newRS, oldRSs: oldRSs)
    }

    /// `scale`.
    mutating func scaleProportionally(newRS: String?, oldRSs: [String]) {
        // `FindActiveOrLatest`: a single active set (or the newest one) takes all the replicas.
        let oldByNewest = byCreation(oldRSs).reversed().map { $0 }
        let allActive = active(oldByNewest + [newRS].compactMap { $0 })
        var activeOrLatest: String?
        if newRS != nil || !oldRSs.isEmpty {
            switch allActive.count {
            case 0: activeOrLatest = newRS ?? oldByNewest.first
            case 1: activeOrLatest = allActive[0]
            default: activeOrLatest = nil
            }
        }
        if let target = activeOrLatest {
            if current(target)?.replicas != d.replicas { scale(target, to: d.replicas) }
            return
        }
        if let newRS, isSaturated(newRS) {
            for old in active(oldRSs) { scale(old, to: 0) }
            return
        }
        guard d.isRollingUpdate else { return }
        var all = active(oldRSs + [newRS].compactMap { $0 })
        let allReplicas = replicaCount(all)
        let allowed = d.replicas > 0 ? d.replicas + DeploymentController.maxSurge(d) : 0
        let toAdd = allowed - allReplicas
        if toAdd > 0 {
            // `ReplicaSetsBySizeNewer`: largest first, newer first among equals.
            all.sort { (current($0)?.replicas ?? 0, created($0)) > (current($1)?.replicas ?? 0, created($1)) }
        } else if toAdd < 0 {
            // `ReplicaSetsBySizeOlder`: largest first, older first among equals.
            all.sort { a, b in
                let (ra, rb) = (current(a)?.replicas ?? 0, current(b)?.replicas ?? 0)
                return ra != rb ? ra > rb : created(a) < created(b)
            }
        }
        var added: Int32 = 0
        var sizes: [String: Int32] = [:]
        for name in all {
            let replicas = current(name)?.replicas ?? 0
            if toAdd != 0 {
                let p = proportion(name, toAdd: toAdd, added: added)
                sizes[name] = replicas + p
                added += p
            } else {
                sizes[name] = replicas
            }
        }
        for (i, name) in all.enumerated() {
            if i == 0, toAdd != 0 {
                sizes[name] = max(0, (sizes[name] ?? 0) + toAdd - added)
            }
            scale(name, to: sizes[name] ?? 0)
        }
    }

    /// `GetProportion` / `getReplicaSetFraction`.
    func proportion(_ name: String, toAdd: Int32, added: Int32) -> Int32 {
        guard let rs = current(name), rs.replicas != 0, toAdd != 0, toAdd != added else { return 0 }
        let fraction: Int32
        if d.replicas == 0 {
            fraction = -rs.replicas
        } else {
            let deploymentReplicas = d.replicas + DeploymentController.maxSurge(d)
            let annotated = rs.metadata.annotations?[DeploymentAnnotations.maxReplicas].flatMap(Int32.init) ?? (status.replicas ?? 0)
            let size = annotated == 0 ? Double(rs.replicas) : Double(rs.replicas) * Double(deploymentReplicas) / Double(annotated)
            fraction = Int32(size.rounded(.toNearestOrAwayFromZero)) - rs.replicas
        }
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    /// `IsSaturated`: the new set runs and has available all the replicas.
    func isSaturated(_ name: String) -> Bool {
        guard let rs = current(name) else { return false }
        let desired = rs.metadata.annotations?[DeploymentAnnotations.desiredReplicas].flatMap(Int32.init)
        return rs.replicas == d.replicas && desired == d.replicas && (rs.status?.availableReplicas ?? 0) == d.replicas
    }

    // MARK: rolloutRolling

    mutating func rolloutRolling() {
        let (newRS, oldRSs) = allReplicaSets(create: true)
        let all = oldRSs + [newRS].compactMap { $0 }
        if let newRS, reconcileNewReplicaSet(newRS, all: all) {
            syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
            return
        }
        if reconcileOldReplicaSets(newRS: newRS, oldRSs: oldRSs) {
            syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
            return
        }
        if DeploymentController.isComplete(d, status) { cleanup(oldRSs: oldRSs) }
        syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
    }

    /// `reconcileNewReplicaSet`.
    mutating func reconcileNewReplicaSet(_ newRS: String, all: [String]) -> Bool {
        guard let rs = current(newRS), rs.replicas != d.replicas else { return false }
        if rs.replicas > d.replicas { return scale(newRS, to: d.replicas) }
        let count = newRSNewReplicas(all: all.compactMap { current($0) }, newReplicas: rs.replicas)
        return scale(newRS, to: count)
    }

    /// `reconcileOldReplicaSets`: scale old sets down as far as `maxUnavailable` allows, the
    /// unhealthy replicas first.
    mutating func reconcileOldReplicaSets(newRS: String?, oldRSs: [String]) -> Bool {
        let activeOld = active(oldRSs)
        let oldCount = replicaCount(activeOld)
        guard oldCount > 0 else { return false }
        let all = oldRSs + [newRS].compactMap { $0 }
        let allCount = replicaCount(all)
        let minAvailable = d.replicas - DeploymentController.maxUnavailable(d)
        let newUnavailable = newRS.flatMap(current).map { $0.replicas - ($0.status?.availableReplicas ?? 0) } ?? 0
        let maxScaledDown = allCount - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return false }
        // `cleanupUnhealthyReplicas`.
        var cleaned: Int32 = 0
        for name in byCreation(activeOld) {
            guard cleaned < maxScaledDown, let rs = current(name) else { break }
            let available = rs.status?.availableReplicas ?? 0
            if rs.replicas == 0 || rs.replicas == available { continue }
            let down = min(maxScaledDown - cleaned, rs.replicas - available)
            scale(name, to: rs.replicas - down)
            cleaned += down
        }
        // `scaleDownOldReplicaSetsForRollingUpdate`.
        var scaledDown: Int32 = 0
        let availableCount = all.compactMap { current($0) }.reduce(Int32(0)) { $0 + ($1.status?.availableReplicas ?? 0) }
        if availableCount > minAvailable {
            let target = availableCount - minAvailable
            for name in byCreation(activeOld) {
                guard scaledDown < target, let rs = current(name) else { break }
                if rs.replicas == 0 { continue }
                let down = min(rs.replicas, target - scaledDown)
                scale(name, to: rs.replicas - down)
                scaledDown += down
            }
        }
        return cleaned + scaledDown > 0
    }

    // MARK: rolloutRecreate

    mutating func rolloutRecreate(pods: [Pod]) {
        var (newRS, oldRSs) = allReplicaSets(create: false)
        var scaledDown = false
        for name in active(oldRSs) where scale(name, to: 0) { scaledDown = true }
        if scaledDown {
            syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
            return
        }
        if oldPodsRunning(newRS: newRS, oldRSs: oldRSs, pods: pods) {
            syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
            return
        }
        if newRS == nil { (newRS, oldRSs) = allReplicaSets(create: true) }
        if let newRS, current(newRS)?.replicas != d.replicas { scale(newRS, to: d.replicas) }
        if DeploymentController.isComplete(d, status) { cleanup(oldRSs: oldRSs) }
        syncRolloutStatus(newRS: newRS, oldRSs: oldRSs)
    }

    /// `oldPodsRunning`: an old set still counts pods, or one of its pods has not finished.
    func oldPodsRunning(newRS: String?, oldRSs: [String], pods: [Pod]) -> Bool {
        let olds = oldRSs.compactMap { current($0) }
        if olds.reduce(Int32(0), { $0 + ($1.status?.replicas ?? 0) }) > 0 { return true }
        let oldUIDs = Set(olds.compactMap(\.metadata.uid))
        return pods.contains { pod in
            guard let ref = ReplicaSetController.controllerRef(of: pod), oldUIDs.contains(ref.uid) else { return false }
            return !(pod.status?.phase?.isTerminal ?? false)
        }
    }

    // MARK: cleanup and status

    /// `cleanupDeployment`: old sets beyond `revisionHistoryLimit`, lowest revision first, that
    /// have no replicas and whose status is current.
    mutating func cleanup(oldRSs: [String]) {
        guard let limit = d.spec.revisionHistoryLimit else { return }
        let cleanable = oldRSs.compactMap { current($0) }.filter { $0.metadata.deletionTimestamp == nil }
        let diff = cleanable.count - Int(limit)
        guard diff > 0 else { return }
        let sorted = cleanable.sorted {
            let (a, b) = (DeploymentController.revision($0), DeploymentController.revision($1))
            return a != b ? a < b : $0.name < $1.name
        }
        for rs in sorted.prefix(diff) {
            if (rs.status?.replicas ?? 0) != 0 || rs.replicas != 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) {
                continue
            }
            plan.delete.append(rs.name)
            plan.update[rs.name] = nil
            sets.removeAll { $0.name == rs.name }
        }
    }

    /// `calculateStatus`.
    func calculateStatus(newRS: String?, oldRSs: [String]) -> Deployment.Status {
        let all = (oldRSs + [newRS].compactMap { $0 }).compactMap { current($0) }
        let available = all.reduce(Int32(0)) { $0 + ($1.status?.availableReplicas ?? 0) }
        let total = all.reduce(Int32(0)) { $0 + $1.replicas }
        var s = Deployment.Status()
        s.observedGeneration = d.metadata.generation
        s.replicas = all.reduce(Int32(0)) { $0 + ($1.status?.replicas ?? 0) }
        s.updatedReplicas = current(newRS)?.status?.replicas ?? 0
        s.readyReplicas = all.reduce(Int32(0)) { $0 + ($1.status?.readyReplicas ?? 0) }
        s.availableReplicas = available
        s.unavailableReplicas = max(0, total - available)
        s.collisionCount = status.collisionCount
        s.conditions = status.conditions
        if available >= d.replicas - DeploymentController.maxUnavailable(d) {
            DeploymentController.setCondition(
                &s, .init(type: Deployment.Condition.available, status: "True", reason: DeploymentController.minimumReplicasAvailable,
                    message: "Deployment has minimum availability.", now: kubeNow))
        } else {
            DeploymentController.setCondition(
                &s, .init(type: Deployment.Condition.available, status: "False", reason: DeploymentController.minimumReplicasUnavailable,
                    message: "Deployment does not have minimum availability.", now: kubeNow))
        }
        return s
    }

    mutating func syncDeploymentStatus(newRS: String?, oldRSs: [String]) {
        d.status = calculateStatus(newRS: newRS, oldRSs: oldRSs)
    }

    /// `syncRolloutStatus`: the status plus the Progressing condition (complete, progressing,
    /// or past its deadline).
    mutating func syncRolloutStatus(newRS: String?, oldRSs: [String]) {
        var s = calculateStatus(newRS: newRS, oldRSs: oldRSs)
        let typ = Deployment.Condition.progressing
        if !DeploymentController.hasProgressDeadline(d) { DeploymentController.removeCondition(&s, typ) }
        let currentCond = status.condition(typ)
        let isCompleteDeployment = s.replicas == s.updatedReplicas && currentCond?.reason == DeploymentController.newRSAvailableReason
        if DeploymentController.hasProgressDeadline(d), !isCompleteDeployment {
            let subject = newRS.map { "ReplicaSet \"\($0)\"" } ?? "Deployment \"\(d.name)\""
            if DeploymentController.isComplete(d, s) {
                DeploymentController.setCondition(
                    &s, .init(type: typ, status: "True", reason: DeploymentController.newRSAvailableReason,
                        message: "\(subject) has successfully progressed.", now: kubeNow))
            } else if DeploymentController.isProgressing(d, s) {
                var condition = Deployment.Condition(
                    type: typ, status: "True", reason: DeploymentController.replicaSetUpdatedReason, message: "\(subject) is progressing.", now: kubeNow)
                // Progress refreshes lastUpdateTime even with the same reason (the deadline restarts).
                if let currentCond {
                    if currentCond.status == "True" { condition.lastTransitionTime = currentCond.lastTransitionTime }
                    DeploymentController.removeCondition(&s, typ)
                }
                DeploymentController.setCondition(&s, condition)
            } else if DeploymentController.hasTimedOut(d, s, now: now) {
                DeploymentController.setCondition(
                    &s, .init(type: typ, status: "False", reason: DeploymentController.timedOutReason,
                        message: "\(subject) has timed out progressing.", now: kubeNow))
            }
        }
        // The ReplicaSets' pod creation failures become the Deployment's; gone when none has one.
        if let failure = replicaFailure(newRS: newRS, oldRSs: oldRSs) {
            DeploymentController.setCondition(&s, failure)
        } else {
            DeploymentController.removeCondition(&s, Deployment.Condition.replicaFailure)
        }
        d.status = s
    }

    /// `getReplicaFailures` (first of): the new ReplicaSet's `ReplicaFailure` condition, else the
    /// first old one's, as `ReplicaSetToDeploymentCondition` converts it (both times its
    /// lastTransitionTime).
    func replicaFailure(newRS: String?, oldRSs: [String]) -> Deployment.Condition? {
        let candidates = [newRS].compactMap { $0 } + oldRSs
        for name in candidates {
            guard let c = current(name)?.status?.conditions?.first(where: { $0.type == ReplicaSet.Condition.replicaFailure })
            else { continue }
            var condition = Deployment.Condition(
                type: Deployment.Condition.replicaFailure, status: c.status.rawValue, reason: c.reason ?? "",
                message: c.message ?? "", now: c.lastTransitionTime ?? kubeNow)
            condition.reason = c.reason
            condition.message = c.message
            condition.lastUpdateTime = c.lastTransitionTime
            condition.lastTransitionTime = c.lastTransitionTime
            return condition
        }
        return nil
    }
}
