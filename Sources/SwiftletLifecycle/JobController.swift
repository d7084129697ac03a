import Foundation
import SwiftletKube

/// The Job controller's pod-failure back-off (`DefaultJobPodFailureBackOff`,
/// `MaxJobPodFailureBackOff`): 10 s doubling per failure since the last success, capped at 10 min.
public struct JobBackoff: Hashable, Sendable {
    public var base: TimeInterval
    public var maximum: TimeInterval

    public init(base: TimeInterval = 10, maximum: TimeInterval = 600) {
        self.base = base
        self.maximum = maximum
    }

    /// `backoffRecord.getRemainingTime`: how long pod creation still waits after `failures`
    /// consecutive failures (since the last success), the last at `lastFailure`.
    public func remaining(failures: Int, lastFailure: Date?, now: Date) -> TimeInterval {
        guard failures > 0, let lastFailure else { return 0 }
        var delay = base
        for _ in 1..<failures where delay < maximum { delay *= 2 }
        return max(0, lastFailure.addingTimeInterval(min(delay, maximum)).timeIntervalSince(now))
    }
}

/// What the Job controller (`pkg/controller/job`) decides in one sync, without I/O.
///
/// Finished pods are counted exactly once, as the controller does with its
/// `batch.kubernetes.io/job-tracking` finalizer: a finished pod that still carries the finalizer
/// is first recorded in `status.uncountedTerminatedPods` (or, for an Indexed Job, in
/// `completedIndexes`) and that status persisted (`recordStatus`), then the finalizer is removed
/// from the pod (`removeTracking`), then the uncounted pods move into the counts (`status`).
/// A crash between any two steps leaves a state the next sync finishes without counting twice.
public struct JobPlan: Hashable, Sendable {
    public var adopt: [String] = []
    public var release: [String] = []
    /// The status with the newly finished pods recorded, to persist before `removeTracking`;
    /// nil when nothing finished since the last sync.
    public var recordStatus: Job.Status?
    /// Pods whose tracking finalizer goes (counted, ignored, or never to be counted).
    public var removeTracking: [String] = []
    /// Pods to create: one entry per pod, its completion index for an Indexed Job.
    public var create: [Int?] = []
    public var delete: [String] = []
    public var status = Job.Status()
    /// `ttlSecondsAfterFinished` has passed: the Job (and with it its pods) is deleted.
    public var deleteJob = false
    /// Seconds until pod creation may resume after failures (0: not waiting).
    public var backoffRemaining: TimeInterval = 0
}

public enum JobController {
    public static func ownerReference(_ job: Job) -> OwnerReference {
        .controllerRef(apiVersion: Job.apiVersion, kind: Job.kind, name: job.name, uid: job.metadata.uid ?? "")
    }

    /// `IsJobFinished`: a Complete or Failed condition is true.
    public static func isFinished(_ job: Job) -> Bool { finishTime(job) != nil }

    /// When the Job finished (its Complete or Failed condition), the TTL's starting point.
    public static func finishTime(_ job: Job) -> Date? {
        let finished = job.status?.conditions?.first {
            ($0.type == Job.ConditionType.complete || $0.type == Job.ConditionType.failed) && $0.status == .true
        }
        guard let finished else { return nil }
        return finished.lastTransitionTime?.date ?? job.status?.completionTime?.date ?? .distantPast
    }

    static func isTracked(_ pod: Pod) -> Bool { pod.metadata.finalizers?.contains(Job.trackingFinalizer) ?? false }

    /// The completion index of an Indexed Job's pod (its annotation, as `getCompletionIndex`).
    public static func completionIndex(_ pod: Pod) -> Int? {
        guard let text = pod.metadata.annotations?[Job.completionIndexAnnotation], let i = Int(text), i >= 0 else { return nil }
        return i
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    public static func plan(_ job: Job, pods: [Pod], now: Date, backoff: JobBackoff = JobBackoff()) -> JobPlan {
        var plan = JobPlan()
        let claim = ReplicaSetController.claim(
            pods: pods, namespace: job.namespace, selector: job.spec.selector ?? WorkloadSelector(),
            ownerUID: job.metadata.uid, ownerDeleting: job.metadata.deletionTimestamp != nil || isFinished(job))
        plan.adopt = claim.adopt
        plan.release = claim.release
        let owned = claim.owned
        let nowTime = KubeTime(now)
        var status = job.status ?? Job.Status()
        plan.status = status

        if let finished = finishTime(job) {
            // A finished Job only lets go of its pods and waits for its TTL.
            plan.removeTracking = owned.filter(isTracked).map(\.uid)
            if let ttl = job.spec.ttlSecondsAfterFinished, finished.addingTimeInterval(TimeInterval(ttl)) <= now {
                plan.deleteJob = true
            }
            return plan
        }

        let completions = job.spec.completions.map(Int.init)
        var uncountedSucceeded = Set(status.uncountedTerminatedPods?.succeeded ?? [])
        var uncountedFailed = Set(status.uncountedTerminatedPods?.failed ?? [])
        var completedIndexes = CompletedIndexes(parsing: status.completedIndexes ?? "")
        var failedIndexes = CompletedIndexes(parsing: status.failedIndexes ?? "")
        var finishedCondition = status.condition(Job.ConditionType.failureTarget) ?? status.condition(Job.ConditionType.successCriteriaMet)

        // Count the pods that finished since the last sync.
        var recorded = false
        for pod in owned where isTracked(pod) {
            if uncountedSucceeded.contains(pod.uid) || uncountedFailed.contains(pod.uid) {
                plan.removeTracking.append(pod.uid)
                continue
            }
            if pod.status?.phase == .succeeded {
                if job.isIndexed {
                    if let i = completionIndex(pod), i < completions ?? 0, !completedIndexes.contains(i) {
                        completedIndexes.insert(i)
                        recorded = true
                    }
                } else {
                    uncountedSucceeded.insert(pod.uid)
                    recorded = true
                }
                plan.removeTracking.append(pod.uid)
            } else if isFailed(pod, job) {
                switch failurePolicyMatch(job, pod: pod) {
                case .ignore:
                    break
                case .failJob(let message):
                    if finishedCondition == nil {
                        finishedCondition = Job.Condition(
                            type: Job.ConditionType.failureTarget, reason: "PodFailurePolicy", message: message, now: nowTime)
                    }
                    uncountedFailed.insert(pod.uid)
                    recorded = true
                case .count, .failIndex:
                    uncountedFailed.insert(pod.uid)
                    recorded = true
                }
                // calculateFailedIndexes: recorded with the pod's failure, before its finalizer goes.
                if job.hasBackoffLimitPerIndex, let i = completionIndex(pod), i < completions ?? 0, !failedIndexes.contains(i),
                    isIndexFailed(job, pod: pod)
                {
                    failedIndexes.insert(i)
                    recorded = true
                }
                plan.removeTracking.append(pod.uid)
            }
        }

        let active = owned.filter(ReplicaSetController.isActive)
        let succeededCount =
            job.isIndexed ? completedIndexes.count : Int(status.succeeded ?? 0) + uncountedSucceeded.count
        var failedCount = Int(status.failed ?? 0) + uncountedFailed.count

        if finishedCondition == nil {
            if failedCount > Int(job.backoffLimit) || pastBackoffLimitOnFailure(job, active: active) {
                finishedCondition = Job.Condition(
                    type: Job.ConditionType.failureTarget, reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit", now: nowTime)
            } else if pastActiveDeadline(job, now: now) {
                finishedCondition = Job.Condition(
                    type: Job.ConditionType.failureTarget, reason: "DeadlineExceeded",
                    message: "Job was active longer than specified deadline", now: nowTime)
            }
        }
        if finishedCondition == nil, job.hasBackoffLimitPerIndex,
            let (reason, message) = failedIndexesOutcome(job, failed: failedIndexes, succeeded: completedIndexes)
        {
            finishedCondition = Job.Condition(type: Job.ConditionType.failureTarget, reason: reason, message: message, now: nowTime)
        }
        // An Indexed Job's success policy, after the failure checks (the controller's order).
        if finishedCondition == nil, let message = matchSuccessPolicy(job, completedIndexes: completedIndexes) {
            finishedCondition = Job.Condition(
                type: Job.ConditionType.successCriteriaMet, reason: successPolicyReason, message: message, now: nowTime)
        }

        var deleted: [Pod] = []
        var created: [Int?] = []
        var conditions = status.conditions ?? []
        if finishedCondition == nil {
            // manageJob.
            var wantActive: Int
            if job.isSuspended {
                wantActive = 0
            } else if let completions {
                wantActive = max(0, min(completions - succeededCount - failedIndexes.count, Int(job.parallelism)))
            } else {
                // A work queue: once one pod succeeded, the running ones finish and none start.
                wantActive = succeededCount > 0 ? active.count : Int(job.parallelism)
            }
            var keep = active
            if job.isIndexed {
                // An index runs in one pod at a time and only until it succeeded.
                var seen = Set<Int>()
                for pod in active.sorted(by: { ($0.metadata.creationTimestamp?.date ?? now) < ($1.metadata.creationTimestamp?.date ?? now) }) {
                    guard let i = completionIndex(pod), i < completions ?? 0, !completedIndexes.contains(i), !failedIndexes.contains(i),
                        !seen.contains(i)
                    else {
                        deleted.append(pod)
                        continue
                    }
                    seen.insert(i)
                }
                keep = active.filter { pod in !deleted.contains { $0.uid == pod.uid } }
            }
            if keep.count > wantActive {
                let extra = keep.sorted { ReplicaSetController.deletesBefore($0, $1, now: now) }.prefix(keep.count - wantActive)
                deleted += extra
                keep = keep.filter { pod in !extra.contains { $0.uid == pod.uid } }
            } else if keep.count < wantActive, job.hasBackoffLimitPerIndex {
                // Each index waits its own back-off (getPodCreationInfoForIndependentIndexes).
                let running = Set(keep.compactMap(completionIndex))
                let pending = (0..<(completions ?? 0)).lazy.filter {
                    !completedIndexes.contains($0) && !failedIndexes.contains($0) && !running.contains($0)
                }
                // The first pending indexes are chosen, then those still backing off wait.
                var waits: [TimeInterval] = []
                for i in pending.prefix(wantActive - keep.count) {
                    let wait = indexBackoffRemaining(job, index: i, pods: owned, backoff: backoff, now: now)
                    if wait > 0 { waits.append(wait) } else { created.append(i) }
                }
                plan.backoffRemaining = waits.min() ?? 0
            } else if keep.count < wantActive {
                plan.backoffRemaining = remainingBackoff(job, pods: owned, backoff: backoff, now: now)
                if plan.backoffRemaining == 0 {
                    let missing = wantActive - keep.count
                    if job.isIndexed {
                        let running = Set(keep.compactMap(completionIndex))
                        created = (0..<(completions ?? 0)).lazy.filter { !completedIndexes.contains($0) && !running.contains($0) }
                            .prefix(missing).map { Optional($0) }
                    } else {
                        created = Array(repeating: nil, count: missing)
                    }
                }
            }
            let complete: Bool
            if let completions {
                complete = succeededCount >= completions
            } else {
                complete = succeededCount > 0 && keep.isEmpty
            }
            if complete {
                finishedCondition = Job.Condition(
                    type: Job.ConditionType.successCriteriaMet, reason: "CompletionsReached",
                    message: "Job has reached the specified number of completions", now: nowTime)
                created = []
                deleted += keep.filter { pod in !deleted.contains { $0.uid == pod.uid } }
            }
            setSuspended(job, &conditions, &status, now: nowTime)
        } else {
            // A failing or succeeding Job deletes its remaining pods.
            deleted = active
        }

        // Pods deleted here never finish on their own: a failing Job counts them as failed now
        // (as `isPodFailed` does for a deleted pod) and lets go of them.
        for pod in deleted where isTracked(pod) && !uncountedFailed.contains(pod.uid) && !uncountedSucceeded.contains(pod.uid) {
            if finishedCondition?.type != Job.ConditionType.successCriteriaMet {
                uncountedFailed.insert(pod.uid)
                recorded = true
            }
            plan.removeTracking.append(pod.uid)
        }
        failedCount = Int(status.failed ?? 0) + uncountedFailed.count
        plan.delete = deleted.map(\.uid)
        plan.create = created

        if recorded {
            var record = status
            record.uncountedTerminatedPods = Job.UncountedTerminatedPods(
                succeeded: uncountedSucceeded.isEmpty ? nil : uncountedSucceeded.sorted(),
                failed: uncountedFailed.isEmpty ? nil : uncountedFailed.sorted())
            if job.isIndexed { record.completedIndexes = completedIndexes.compressed }
            if job.hasBackoffLimitPerIndex { record.failedIndexes = failedIndexes.compressed ?? "" }
            plan.recordStatus = record
        }

        // The status after this sync, the finished pods counted.
        status.succeeded = nonZero(succeededCount)
        status.failed = nonZero(failedCount)
        status.uncountedTerminatedPods = Job.UncountedTerminatedPods()
        if job.isIndexed { status.completedIndexes = completedIndexes.compressed }
        // Set, possibly empty, whenever the Job has a per-index limit (as the controller does).
        if job.hasBackoffLimitPerIndex { status.failedIndexes = failedIndexes.compressed ?? "" }
        let remaining = active.filter { pod in !deleted.contains { $0.uid == pod.uid } }
        status.active = nonZero(remaining.count + created.count)
        status.ready = Int32(remaining.filter { ReplicaSetController.readySince($0) != nil }.count)
        let terminating = owned.filter { $0.metadata.deletionTimestamp != nil && !($0.status?.phase?.isTerminal ?? false) }.count
        status.terminating = Int32(terminating + deleted.count)
        if status.startTime == nil, !job.isSuspended { status.startTime = nowTime }
        if let condition = finishedCondition {
            if !conditions.contains(where: { $0.type == condition.type && $0.status == .true }) { conditions.append(condition) }
            // The terminal condition once no pod of the Job is left running (the Job API since 1.31).
            if remaining.isEmpty, created.isEmpty, terminating + deleted.count == 0 {
                let terminal = condition.type == Job.ConditionType.failureTarget ? Job.ConditionType.failed : Job.ConditionType.complete
                conditions.append(Job.Condition(type: terminal, reason: condition.reason, message: condition.message, now: nowTime))
                if terminal == Job.ConditionType.complete { status.completionTime = nowTime }
            }
        }
        status.conditions = conditions.isEmpty ? nil : conditions
        plan.status = status
        return plan
    }

    static func nonZero(_ n: Int) -> Int32? { n == 0 ? nil : Int32(n) }

    /// The Suspended condition: True while suspended ("JobSuspended"), False once resumed
    /// ("JobResumed"), and a resumed Job's start time restarts its activeDeadlineSeconds.
    static func setSuspended(_ job: Job, _ conditions: inout [Job.Condition], _ status: inout Job.Status, now: KubeTime) {
        let index = conditions.firstIndex { $0.type == Job.ConditionType.suspended }
        if job.isSuspended {
            if let index {
                guard conditions[index].status != .true else { return }
                conditions[index] = Job.Condition(type: Job.ConditionType.suspended, reason: "JobSuspended", message: "Job suspended", now: now)
            } else {
                conditions.append(Job.Condition(type: Job.ConditionType.suspended, reason: "JobSuspended", message: "Job suspended", now: now))
            }
        } else if let index, conditions[index].status == .true {
            conditions[index] = Job.Condition(
                type: Job.ConditionType.suspended, status: .false, reason: "JobResumed", message: "Job resumed", now: now)
            status.startTime = now
        }
    }

    /// `isPodFailed`: Failed, or deleted before it succeeded (with the default
    /// podReplacementPolicy TerminatingOrFailed; with Failed only the phase counts).
    static func isFailed(_ pod: Pod, _ job: Job) -> Bool {
        if pod.status?.phase == .failed { return true }
        if job.spec.podReplacementPolicy == "Failed" { return false }
        return pod.metadata.deletionTimestamp != nil && pod.status?.phase != .succeeded
    }

    /// `pastActiveDeadline`: not while suspended, measured from `status.startTime`.
    static func pastActiveDeadline(_ job: Job, now: Date) -> Bool {
        guard let deadline = job.spec.activeDeadlineSeconds, let start = job.status?.startTime?.date, !job.isSuspended else { return false }
        return now.timeIntervalSince(start) >= TimeInterval(deadline)
    }

    /// `pastBackoffLimitOnFailure`: with restartPolicy OnFailure a pod never fails, its containers
    /// restart; their restarts count against the backoff limit.
    static func pastBackoffLimitOnFailure(_ job: Job, active: [Pod]) -> Bool {
        guard job.spec.template?.spec.restartPolicy == .onFailure else { return false }
        let restarts = active.reduce(0) { sum, pod in
            sum + ((pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])).reduce(0) { $0 + Int($1.restartCount) }
        }
        return job.backoffLimit == 0 ? restarts > 0 : restarts >= Int(job.backoffLimit)
    }

    /// When the pod finished: its last container's termination.
    static func finishedAt(_ pod: Pod) -> Date? {
        ((pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? []))
            .compactMap { $0.state.terminated?.finishedAt?.date }.max()
    }

    /// The back-off before the next pod: failures since the latest success, from the pods the Job
    /// still has (they are kept until the Job goes), so it holds across an agent restart.
    static func remainingBackoff(_ job: Job, pods: [Pod], backoff: JobBackoff, now: Date) -> TimeInterval {
        guard job.spec.template?.spec.restartPolicy != .onFailure else { return 0 }
        let lastSuccess = pods.filter { $0.status?.phase == .succeeded }.compactMap(finishedAt).max() ?? .distantPast
        let failures = pods.filter { $0.status?.phase == .failed && failurePolicyMatch(job, pod: $0) != .ignore }
            .compactMap(finishedAt).filter { $0 > lastSuccess }
        return backoff.remaining(failures: failures.count, lastFailure: failures.max(), now: now)
    }

    enum PolicyAction: Hashable {
        case count
        case ignore
        case failJob(String)
        case failIndex
    }

    /// `matchPodFailurePolicy`: the first rule matching a Failed pod decides; no match counts.
    static func failurePolicyMatch(_ job: Job, pod: Pod) -> PolicyAction {
        guard let policy = job.spec.podFailurePolicy, pod.status?.phase == .failed else { return .count }
        for (index, rule) in policy.rules.enumerated() {
            var message: String?
            if let codes = rule.onExitCodes {
                let statuses = (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])
                for container in statuses where codes.containerName == nil || codes.containerName == container.name {
                    // Only non-zero exit codes are considered.
                    guard let code = container.state.terminated?.exitCode, code != 0 else { continue }
                    let listed = codes.values.contains(code)
                    if codes.operator == "In" ? listed : !listed {
                        message = "Container \(container.name) for pod \(pod.namespace)/\(pod.name) failed with exit code \(code) matching \(rule.action) rule at index \(index)"
                        break
                    }
                }
            } else if let patterns = rule.onPodConditions {
                for pattern in patterns {
                    if let c = pod.status?.conditions?.first(where: { $0.type.rawValue == pattern.type && $0.status.rawValue == (pattern.status ?? "True") }) {
                        message = "Pod \(pod.namespace)/\(pod.name) has condition \(c.type.rawValue) matching \(rule.action) rule at index \(index)"
                        break
                    }
                }
            }
            guard let message else { continue }
            switch rule.action {
            case "FailJob": return .failJob(message)
            case "Ignore": return .ignore
            case "Count": return .count
            case "FailIndex": return .failIndex
            default: continue  // unknown actions are skipped, as the controller does
            }
        }
        return .count
    }

    /// The pod an Indexed or NonIndexed Job creates: the template, a controller reference, the
    /// tracking finalizer and, for an index, its annotation and label, `JOB_COMPLETION_INDEX`
    /// from the annotation and the hostname `<job>-<index>`.
    /// With `backoffLimitPerIndex`, an index's pod carries the failure counts of the index
    /// (`pods`: the Job's pods, to find the failed pod it replaces).
    public static func pod(for job: Job, index: Int?, pods: [Pod] = []) -> Pod? {
        guard let template = job.spec.template else { return nil }
        var pod = ReplicaSetController.pod(from: template, owner: ownerReference(job), namespace: job.namespace)
        pod.metadata.finalizers = [Job.trackingFinalizer]
        guard let index else { return pod }
        pod.metadata.generateName = "\(job.name)-\(index)-"
        pod.metadata.annotations = (pod.metadata.annotations ?? [:]).merging([Job.completionIndexAnnotation: String(index)]) { _, new in new }
        pod.metadata.labels = (pod.metadata.labels ?? [:]).merging([Job.completionIndexAnnotation: String(index)]) { _, new in new }
        if job.hasBackoffLimitPerIndex {
            let uid = job.metadata.uid
            let owned = pods.filter { $0.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false }
            let counts = newIndexFailureCounts(job, replacing: lastFailedPod(job, index: index, pods: owned))
            pod.metadata.annotations?[Job.indexFailureCountAnnotation] = String(counts.failed)
            if counts.ignored > 0 { pod.metadata.annotations?[Job.indexIgnoredFailureCountAnnotation] = String(counts.ignored) }
        }
        if pod.spec.hostname == nil { pod.spec.hostname = "\(job.name)-\(index)" }
        let env = EnvVar(
            name: "JOB_COMPLETION_INDEX", value: nil,
            valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.annotations['\(Job.completionIndexAnnotation)']")))
        func addIndex(_ c: inout Container) {
            if !(c.env ?? []).contains(where: { $0.name == env.name }) { c.env = (c.env ?? []) + [env] }
        }
        for i in pod.spec.containers.indices { addIndex(&pod.spec.containers[i]) }
        if var inits = pod.spec.initContainers {
            for i in inits.indices { addIndex(&inits[i]) }
            pod.spec.initContainers = inits
        }
        return pod
    }

    /// The events the Job controller records when a sync changes the Job's state:
    /// `Completed` ("Job completed"), the `Failed` condition's reason and message as a warning
    /// (`BackoffLimitExceeded`, `DeadlineExceeded`, `PodFailurePolicy`), `Suspended` / `Resumed`.
    public static func finishedEvents(before: Job.Status?, after: Job.Status) -> [ControllerEvent] {
        var events: [ControllerEvent] = []
        if before?.condition(Job.ConditionType.complete) == nil, after.condition(Job.ConditionType.complete) != nil {
            events.append(ControllerEvent(type: "Normal", reason: "Completed", message: "Job completed"))
        }
        if before?.condition(Job.ConditionType.failed) == nil, let failed = after.condition(Job.ConditionType.failed) {
            events.append(ControllerEvent(type: "Warning", reason: failed.reason ?? "", message: failed.message ?? ""))
        }
        let (wasSuspended, isSuspended) = (
            before?.condition(Job.ConditionType.suspended) != nil, after.condition(Job.ConditionType.suspended) != nil
        )
        if isSuspended && !wasSuspended {
            events.append(ControllerEvent(type: "Normal", reason: "Suspended", message: "Job suspended"))
        } else if wasSuspended && !isSuspended && after.conditions?.contains(where: { $0.type == Job.ConditionType.suspended }) == true {
            events.append(ControllerEvent(type: "Normal", reason: "Resumed", message: "Job resumed"))
        }
        return events
    }
}

public struct CompletedIndexes: Hashable, Sendable {
    private var members: Set<Int> = []

    public init() {}

    /// `parseIndexesFromString`; malformed parts are skipped.
    public init(parsing text: String) {
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if bounds.count == 1, let a = bounds[0], a >= 0 {
                members.insert(a)
            } else if bounds.count == 2, let a = bounds[0], let b = bounds[1], a >= 0, a <= b {
                members.formUnion(a...b)
            }
        }
    }

    public var count: Int { members.count }
    public func contains(_ i: Int) -> Bool { members.contains(i) }
    public mutating func insert(_ i: Int) { members.insert(i) }

    /// Increasing, three or more consecutive numbers as `first-last`; nil when empty.
    public var compressed: String? {
        let sorted = members.sorted()
        guard !sorted.isEmpty else { return nil }
        var parts: [String] = []
        var start = sorted[0]
        var last = sorted[0]
        func flush() {
            if last - start >= 2 {
                parts.append("\(start)-\(last)")
            } else {
                parts += (start...last).map(String.init)
            }
        }
        for i in sorted.dropFirst() {
            if i == last + 1 {
                last = i
            } else {
                flush()
                start = i
                last = i
            }
        }
        flush()
        return parts.joined(separator: ",")
    }
}
