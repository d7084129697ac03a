import Foundation

/// `spec.successPolicy` (KEP-3998, GA in 1.33): an Indexed Job succeeds once one rule holds —
/// every index of `succeededIndexes` succeeded, or `succeededCount` of them (of all indexes when
/// no `succeededIndexes`). The Job controller then sets `SuccessCriteriaMet`, stops the pods still
/// running and completes the Job (SwiftletLifecycle/JobController+SuccessPolicy.swift).
extension Job {
    public struct SuccessPolicy: Codable, Hashable, Sendable {
        public struct Rule: Codable, Hashable, Sendable {
            /// Indexes in the Job's interval form, `0,2-4`.
            public var succeededIndexes: String?
            public var succeededCount: Int32?

            public init(succeededIndexes: String? = nil, succeededCount: Int32? = nil) {
                self.succeededIndexes = succeededIndexes
                self.succeededCount = succeededCount
            }
        }

        public var rules: [Rule]

        public init(rules: [Rule]) { self.rules = rules }
    }

    /// `maxSuccessPolicyRule` and `maxJobSuccessPolicySucceededIndexesLimit`.
    static let maxSuccessPolicyRules = 20
    static let maxSucceededIndexesLength = 64 * 1024

    /// `validateSuccessPolicy`, with its texts: only for Indexed Jobs; 1 to 20 rules, each with
    /// `succeededIndexes` (well-formed, below `completions`) or `succeededCount` (at most the
    /// completions and the rule's index count), or both.
    func validate(_ policy: SuccessPolicy) -> [FieldError] {
        guard isIndexed else {
            return [.invalid("spec.successPolicy", Self.jsonValue(policy), "requires indexed completion mode")]
        }
        let completions = spec.completions ?? 0
        var errs: [FieldError] = []
        if policy.rules.isEmpty {
            errs.append(.required("spec.successPolicy.rules", "at least one rules must be specified when the successPolicy is specified"))
        }
        if policy.rules.count > Self.maxSuccessPolicyRules {
            errs.append(
                FieldError(.tooMany(actual: policy.rules.count, max: Self.maxSuccessPolicyRules), field: "spec.successPolicy.rules"))
        }
        for (i, rule) in policy.rules.enumerated() {
            let path = "spec.successPolicy.rules[\(i)]"
            if rule.succeededCount == nil && rule.succeededIndexes == nil {
                errs.append(.required(path, "at least one of succeededCount or succeededIndexes must be specified"))
            }
            var total = 0
            if let indexes = rule.succeededIndexes {
                if indexes.utf8.count > Self.maxSucceededIndexesLength {
                    errs.append(.tooLong("\(path).succeededIndexes", maxLength: Self.maxSucceededIndexesLength))
                }
                switch Self.indexIntervals(indexes, completions: completions) {
                case .success(let intervals): total = intervals.reduce(0) { $0 + $1.count }
                case .failure(let problem):
                    errs.append(.invalid("\(path).succeededIndexes", .string(indexes), "error parsing succeededIndexes: \(problem.message)"))
                }
            }
            if let count = rule.succeededCount {
                let field = "\(path).succeededCount"
                if count < 0 { errs.append(.invalid(field, .int(Int64(count)), "must be greater than or equal to 0")) }
                if count > completions {
                    errs.append(
                        .invalid(field, .int(Int64(count)), "must be less than or equal to \(completions) (the number of specified completions)"))
                }
                if rule.succeededIndexes != nil, Int(count) > total {
                    errs.append(
                        .invalid(
                            field, .int(Int64(count)),
                            "must be less than or equal to \(total) (the number of indexes in the specified succeededIndexes field)"))
                }
            }
        }
        return errs
    }

    public struct IndexFormatError: Error, Hashable, Sendable {
        public var message: String
    }

    /// `validateIndexesFormat`/`parseIndexInterval`: comma-separated `x` or `x-y` (x < y), strictly
    /// increasing, every index below `completions`; "" is no index.
    public static func indexIntervals(_ text: String, completions: Int32) -> Result<[ClosedRange<Int>], IndexFormatError> {
        guard !text.isEmpty else { return .success([]) }
        var intervals: [ClosedRange<Int>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let limits = part.split(separator: "-", omittingEmptySubsequences: false)
            if limits.count > 2 {
                return .failure(
                    IndexFormatError(
                        message: "the fragment \(goQuoted(String(part))) violates the requirement that an index interval can have at most two parts separated by '-'"))
            }
            var bounds: [Int] = []
            for limit in limits {
                guard let n = Int(limit) else {
                    return .failure(IndexFormatError(message: "cannot convert string to integer for index: \(goQuoted(String(limit)))"))
                }
                if n >= Int(completions) { return .failure(IndexFormatError(message: "too large index: \(goQuoted(String(limit)))")) }
                bounds.append(n)
            }
            let first = bounds[0], last = bounds[bounds.count - 1]
            if bounds.count == 2, first >= last {
                return .failure(IndexFormatError(message: "non-increasing order, previous: \(first), current: \(last)"))
            }
            if let previous = intervals.last?.upperBound, previous >= first {
                return .failure(IndexFormatError(message: "non-increasing order, previous: \(previous), current: \(first)"))
            }
            intervals.append(first...last)
        }
        return .success(intervals)
    }

    /// A success policy as apimachinery prints a rejected struct: its JSON, fields in the API's order.
    static func jsonValue(_ policy: SuccessPolicy?) -> FieldError.Value {
        guard let policy else { return .null }
        let rules = policy.rules.map { rule in
            var fields: [String] = []
            if let indexes = rule.succeededIndexes { fields.append("\"succeededIndexes\":\(goQuoted(indexes))") }
            if let count = rule.succeededCount { fields.append("\"succeededCount\":\(count)") }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return .json("{\"rules\":[" + rules.joined(separator: ",") + "]}")
    }
}
