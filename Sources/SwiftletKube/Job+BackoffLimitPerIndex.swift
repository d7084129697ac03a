/// `spec.backoffLimitPerIndex` and `spec.maxFailedIndexes` (KEP-3850, GA in 1.33): an Indexed
/// Job's indexes fail independently. Each replacement pod carries its index's failure count
/// (`batch.kubernetes.io/job-index-failure-count`); an index whose pod fails with that count at
/// the limit (or matches a `FailIndex` rule) is recorded in `status.failedIndexes` and not run
/// again (SwiftletLifecycle/JobController+BackoffLimitPerIndex.swift).
extension Job {
    /// Failures of the pod's index counted so far, on each pod the controller creates.
    public static let indexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count"
    /// Failures of the pod's index an `Ignore` rule did not count.
    public static let indexIgnoredFailureCountAnnotation = "batch.kubernetes.io/job-index-ignored-failure-count"
    /// `maxFailedIndexesForIndexedJob`.
    static let maxMaxFailedIndexes: Int32 = 100_000

    public var hasBackoffLimitPerIndex: Bool { isIndexed && spec.backoffLimitPerIndex != nil }

    /// `validateJobSpec`'s rules for the two fields, with its texts: non-negative;
    /// `maxFailedIndexes` needs `backoffLimitPerIndex`, at most `completions` and 100000; both
    /// need the Indexed completion mode.
    func validateBackoffLimitPerIndex() -> [FieldError] {
        var errs: [FieldError] = []
        let perIndex = spec.backoffLimitPerIndex, maxFailed = spec.maxFailedIndexes
        if let perIndex, perIndex < 0 {
            errs.append(.invalid("spec.backoffLimitPerIndex", .int(Int64(perIndex)), "must be greater than or equal to 0"))
        }
        if let maxFailed {
            if maxFailed < 0 {
                errs.append(.invalid("spec.maxFailedIndexes", .int(Int64(maxFailed)), "must be greater than or equal to 0"))
            }
            if perIndex == nil { errs.append(.required("spec.backoffLimitPerIndex", "when maxFailedIndexes is specified")) }
        }
        if isIndexed {
            if let maxFailed, let completions = spec.completions, maxFailed > completions {
                errs.append(.invalid("spec.maxFailedIndexes", .int(Int64(maxFailed)), "must be less than or equal to completions"))
            }
            if let maxFailed, maxFailed > Self.maxMaxFailedIndexes {
                errs.append(.invalid("spec.maxFailedIndexes", .int(Int64(maxFailed)), "must be less than or equal to \(Self.maxMaxFailedIndexes)"))
            }
        } else {
            if let perIndex { errs.append(.invalid("spec.backoffLimitPerIndex", .int(Int64(perIndex)), "requires indexed completion mode")) }
            if let maxFailed { errs.append(.invalid("spec.maxFailedIndexes", .int(Int64(maxFailed)), "requires indexed completion mode")) }
        }
        return errs
    }
}
