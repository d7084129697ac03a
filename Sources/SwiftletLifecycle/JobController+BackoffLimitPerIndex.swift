import Foundation
import SwiftletKube

/// The Job controller's backoff limit per index (KEP-3850; `indexed_job_utils.go`): every pod of
/// an index carries how often the index failed before (`job-index-failure-count`, and
/// `job-index-ignored-failure-count` for failures an `Ignore` rule skipped). A failed pod whose
/// count has reached `backoffLimitPerIndex`, or that matches a `FailIndex` rule, fails its index:
/// it joins `status.failedIndexes` and is not run again. The Job fails with
/// `MaxFailedIndexesExceeded` once more than `maxFailedIndexes` indexes failed, or with
/// `FailedIndexes` once every index succeeded or failed and at least one failed.
extension JobController {
    public static let maxFailedIndexesExceededReason = "MaxFailedIndexesExceeded"
    public static let failedIndexesReason = "FailedIndexes"

    /// `getIndexFailureCount` / the ignored count: a missing, unparsable, negative or
    /// beyond-Int32 annotation counts 0 (a user may have edited it).
    static func annotationCount(_ pod: Pod, _ key: String) -> Int {
        guard let text = pod.metadata.annotations?[key], let n = Int(text), n >= 0, n <= Int(Int32.max) else { return 0 }
        return n
    }

    static func indexFailureCount(_ pod: Pod) -> Int { annotationCount(pod, Job.indexFailureCountAnnotation) }

    /// `getIndexAbsoluteFailureCount`: counted and ignored failures.
    static func absoluteFailureCount(_ pod: Pod) -> Int {
        indexFailureCount(pod) + annotationCount(pod, Job.indexIgnoredFailureCountAnnotation)
    }

    /// `isIndexFailed`: the failed pod matches a FailIndex rule, or is a counted failure whose
    /// index had already failed `backoffLimitPerIndex` times before it.
    static func isIndexFailed(_ job: Job, pod: Pod) -> Bool {
        guard let limit = job.spec.backoffLimitPerIndex, isFailed(pod, job) else { return false }
        switch failurePolicyMatch(job, pod: pod) {
        case .failIndex: return true
        case .ignore: return false
        case .count, .failJob: return indexFailureCount(pod) >= Int(limit)
        }
    }

    /// The FailureTarget reason and message once the failed indexes decide the Job, checked after
    /// the backoff-limit and deadline checks and before the success policy.
    static func failedIndexesOutcome(_ job: Job, failed: CompletedIndexes, succeeded: CompletedIndexes) -> (String, String)? {
        if let maxFailed = job.spec.maxFailedIndexes, failed.count > Int(maxFailed) {
            return (maxFailedIndexesExceededReason, "Job has exceeded the specified maximal number of failed indexes")
        }
        if failed.count > 0, failed.count + succeeded.count >= Int(job.spec.completions ?? 0) {
            return (failedIndexesReason, "Job has failed indexes")
        }
        return nil
    }

    /// The failed pod a new pod of `index` replaces: the one with the most failures of the index,
    /// the latest to finish among equals (`getPodsWithDelayedDeletionPerIndex`).
    static func lastFailedPod(_ job: Job, index: Int, pods: [Pod]) -> Pod? {
        pods.filter { completionIndex($0) == index && isFailed($0, job) }.max { a, b in
            let (ca, cb) = (absoluteFailureCount(a), absoluteFailureCount(b))
            if ca != cb { return ca < cb }
            return (finishedAt(a) ?? .distantPast) < (finishedAt(b) ?? .distantPast)
        }
    }

    /// `getNewIndexFailureCounts`: the replaced pod's counts, plus its own failure — in the
    /// ignored count when an `Ignore` rule matched it.
    static func newIndexFailureCounts(_ job: Job, replacing pod: Pod?) -> (failed: Int, ignored: Int) {
        guard let pod else { return (0, 0) }
        let (failed, ignored) = (indexFailureCount(pod), annotationCount(pod, Job.indexIgnoredFailureCountAnnotation))
        if job.spec.podFailurePolicy != nil, failurePolicyMatch(job, pod: pod) == .ignore { return (failed, ignored + 1) }
        return (failed + 1, ignored)
    }

    /// An index's own back-off: as many failures as its last failed pod counted plus that one,
    /// from when that pod finished.
    static func indexBackoffRemaining(_ job: Job, index: Int, pods: [Pod], backoff: JobBackoff, now: Date) -> TimeInterval {
        guard let last = lastFailedPod(job, index: index, pods: pods) else { return 0 }
        return backoff.remaining(failures: absoluteFailureCount(last) + 1, lastFailure: finishedAt(last), now: now)
    }
}
