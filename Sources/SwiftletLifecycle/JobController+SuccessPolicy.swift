import Foundation
import SwiftletKube

/// The Job controller's `matchSuccessPolicy` (pkg/controller/job/success_policy.go): rules are
/// tried in order and the first that holds names the Job's `SuccessCriteriaMet` condition
/// (reason `SuccessPolicy`, message `Matched rules at index <i>`). `plan` then deletes the pods
/// still running, without counting them as failed, and completes the Job with the same reason and
/// message once they are gone.
extension JobController {
    public static let successPolicyReason = "SuccessPolicy"

    /// The message of the first rule `completedIndexes` satisfies; nil when none does (or the Job
    /// is not Indexed, has no policy, or no index succeeded yet).
    static func matchSuccessPolicy(_ job: Job, completedIndexes: CompletedIndexes) -> String? {
        guard job.isIndexed, let policy = job.spec.successPolicy, completedIndexes.count > 0 else { return nil }
        let completions = job.spec.completions ?? 0
        for (index, rule) in policy.rules.enumerated() {
            if let text = rule.succeededIndexes {
                // A rule whose indexes do not parse is skipped (validation refuses it anyway).
                guard case .success(let intervals) = Job.indexIntervals(text, completions: completions), !intervals.isEmpty else {
                    continue
                }
                let required = intervals.reduce(0) { $0 + $1.count }
                let contained = intervals.reduce(0) { sum, interval in sum + interval.filter(completedIndexes.contains).count }
                if contained == required || rule.succeededCount.map({ contained >= Int($0) }) == true {
                    return "Matched rules at index \(index)"
                }
            } else if let count = rule.succeededCount, completedIndexes.count >= Int(count) {
                return "Matched rules at index \(index)"
            }
        }
        return nil
    }
}
