/// `batch/v1` Job: pods run to completion, counted by the Job controller
/// (`SwiftletLifecycle/JobController.swift`).
public struct Job: KubeObject {
    public static let kind = "Job"
    public static let apiVersion = "batch/v1"
    public static let resource = "jobs"

    /// Labels and annotations the Job controller and the API server put on a Job's pods.
    public static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"
    public static let jobNameLabel = "batch.kubernetes.io/job-name"
    public static let legacyControllerUIDLabel = "controller-uid"
    public static let legacyJobNameLabel = "job-name"
    public static let completionIndexAnnotation = "batch.kubernetes.io/job-completion-index"
    /// The finalizer that keeps a finished pod from being forgotten before the controller counted it.
    public static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    /// Indexed Jobs may not have more completions (or parallelism) than this.
    public static let maxIndexedCompletions: Int32 = 100_000

    public enum CompletionMode: String, Codable, Hashable, Sendable {
        case nonIndexed = "NonIndexed"
        case indexed = "Indexed"
    }

    public struct PodFailurePolicy: Codable, Hashable, Sendable {
        public struct Rule: Codable, Hashable, Sendable {
            public var action: String
            public var onExitCodes: OnExitCodes?
            public var onPodConditions: [OnPodCondition]?

            public init(action: String, onExitCodes: OnExitCodes? = nil, onPodConditions: [OnPodCondition]? = nil) {
                self.action = action
                self.onExitCodes = onExitCodes
                self.onPodConditions = onPodConditions
            }
        }

        public struct OnExitCodes: Codable, Hashable, Sendable {
            public var containerName: String?
            public var `operator`: String
            public var values: [Int32]

            public init(containerName: String? = nil, operator op: String, values: [Int32]) {
                self.containerName = containerName
                self.operator = op
                self.values = values
            }
        }

        public struct OnPodCondition: Codable, Hashable, Sendable {
            public var type: String
            public var status: String?

            public init(type: String, status: String? = nil) {
                self.type = type
                self.status = status
            }
        }

        public static let actions = ["Count", "FailIndex", "FailJob", "Ignore"]

        public var rules: [Rule]

        public init(rules: [Rule]) { self.rules = rules }
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var parallelism: Int32?
        public var completions: Int32?
        public var activeDeadlineSeconds: Int64?
        public var podFailurePolicy: PodFailurePolicy?
        public var backoffLimit: Int32?
        public var selector: WorkloadSelector?
        public var manualSelector: Bool?
        public var template: PodTemplateSpec?
        public var ttlSecondsAfterFinished: Int32?
        public var completionMode: CompletionMode?
        public var suspend: Bool?
        public var podReplacementPolicy: String?
        /// When an Indexed Job counts as succeeded before all its indexes did (Job+SuccessPolicy).
        public var successPolicy: SuccessPolicy?
        /// Failures tolerated per index of an Indexed Job (Job+BackoffLimitPerIndex).
        public var backoffLimitPerIndex: Int32?
        /// Failed indexes tolerated before the whole Job fails (with backoffLimitPerIndex).
        public var maxFailedIndexes: Int32?

        public init(
            parallelism: Int32? = nil, completions: Int32? = nil, backoffLimit: Int32? = nil, template: PodTemplateSpec? = nil
        ) {
            self.parallelism = parallelism
            self.completions = completions
            self.backoffLimit = backoffLimit
            self.template = template
        }
    }

    public struct Condition: Codable, Hashable, Sendable {
        public var type: String
        public var status: ConditionStatus
        public var lastProbeTime: KubeTime?
        public var lastTransitionTime: KubeTime?
        public var reason: String?
        public var message: String?

        public init(type: String, status: ConditionStatus = .true, reason: String?, message: String?, now: KubeTime) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
            self.lastProbeTime = now
            self.lastTransitionTime = now
        }
    }

    public struct UncountedTerminatedPods: Codable, Hashable, Sendable {
        public var succeeded: [String]?
        public var failed: [String]?

        public init(succeeded: [String]? = nil, failed: [String]? = nil) {
            self.succeeded = succeeded
            self.failed = failed
        }

        public var isEmpty: Bool { (succeeded ?? []).isEmpty && (failed ?? []).isEmpty }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var conditions: [Condition]?
        public var startTime: KubeTime?
        public var completionTime: KubeTime?
        public var active: Int32?
        public var succeeded: Int32?
        public var failed: Int32?
        public var terminating: Int32?
        public var completedIndexes: String?
        /// Indexes that failed (with backoffLimitPerIndex), in completedIndexes' interval form.
        public var failedIndexes: String?
        public var uncountedTerminatedPods: UncountedTerminatedPods?
        public var ready: Int32?

        public init() {}

        public func condition(_ type: String) -> Condition? {
            conditions?.first { $0.type == type && $0.status == .true }
        }
    }

    /// Condition types and reasons (`batch/v1` constants).
    public enum ConditionType {
        public static let complete = "Complete"
        public static let failed = "Failed"
        public static let suspended = "Suspended"
        public static let failureTarget = "FailureTarget"
        public static let successCriteriaMet = "SuccessCriteriaMet"
    }

    public var apiVersion: String? = Job.apiVersion
    public var kind: String? = Job.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var parallelism: Int32 { spec.parallelism ?? 1 }
    public var backoffLimit: Int32 { spec.backoffLimit ?? (spec.backoffLimitPerIndex == nil ? 6 : Int32.max) }
    public var isIndexed: Bool { spec.completionMode == .indexed }
    public var isSuspended: Bool { spec.suspend ?? false }

    /// `batch/v1` SetDefaults_Job, plus the selector the API server generates (`generateSelector`)
    /// once the Job has its uid.
    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if spec.completions == nil, spec.parallelism == nil {
            spec.completions = 1
            spec.parallelism = 1
        }
        if spec.parallelism == nil { spec.parallelism = 1 }
        // With per-index limits the Job-wide limit is effectively off.
        if spec.backoffLimit == nil { spec.backoffLimit = spec.backoffLimitPerIndex == nil ? 6 : Int32.max }
        if spec.completionMode == nil { spec.completionMode = .nonIndexed }
        if spec.suspend == nil { spec.suspend = false }
        if spec.podReplacementPolicy == nil {
            spec.podReplacementPolicy = spec.podFailurePolicy == nil ? "TerminatingOrFailed" : "Failed"
        }
        spec.template?.applyDefaults()
        if spec.manualSelector != true, let uid = metadata.uid, !uid.isEmpty, var template = spec.template {
            var labels = template.metadata?.labels ?? [:]
            labels[Self.controllerUIDLabel] = uid
            labels[Self.jobNameLabel] = name
            labels[Self.legacyControllerUIDLabel] = uid
            labels[Self.legacyJobNameLabel] = name
            var meta = template.metadata ?? ObjectMeta()
            meta.labels = labels
            template.metadata = meta
            spec.template = template
            if spec.selector == nil { spec.selector = WorkloadSelector(matchLabels: [Self.controllerUIDLabel: uid]) }
        }
    }

    /// `ValidateJob` (`pkg/apis/batch/validation`) with `ValidateGeneratedSelector`.
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        func nonNegative(_ value: Int64?, _ field: String) {
            if let value, value < 0 { errs.append(.invalid(field, .int(value), "must be greater than or equal to 0")) }
        }
        nonNegative(spec.parallelism.map(Int64.init), "spec.parallelism")
        nonNegative(spec.completions.map(Int64.init), "spec.completions")
        nonNegative(spec.activeDeadlineSeconds, "spec.activeDeadlineSeconds")
        nonNegative(spec.backoffLimit.map(Int64.init), "spec.backoffLimit")
        nonNegative(spec.ttlSecondsAfterFinished.map(Int64.init), "spec.ttlSecondsAfterFinished")
        errs += validateBackoffLimitPerIndex()
        if let mode = spec.completionMode, isIndexed {
            if spec.completions == nil {
                errs.append(.required("spec.completions", "when completion mode is \(mode.rawValue)"))
            } else if let c = spec.completions, c > Self.maxIndexedCompletions {
                errs.append(.invalid("spec.completions", .int(Int64(c)), "must be less than or equal to 100000 when completion mode is Indexed"))
            }
            if let p = spec.parallelism, p > Self.maxIndexedCompletions {
                errs.append(.invalid("spec.parallelism", .int(Int64(p)), "must be less than or equal to 100000 when completion mode is Indexed"))
            }
        }
        let selector = spec.selector ?? WorkloadSelector()
        if spec.manualSelector == true {
            if selector.isEmpty { errs.append(.required("spec.selector", "")) } else { errs += selector.validate(path: "spec.selector") }
        } else if let uid = metadata.uid, !uid.isEmpty {
            // ValidateGeneratedSelector: the generated selector and labels must be the Job's own.
            if spec.template?.metadata?.labels?[Self.controllerUIDLabel] != uid {
                errs.append(
                    .invalid(
                        "spec.template.metadata.labels", .string(PodTemplateSpec.goMap(spec.template?.metadata?.labels ?? [:])),
                        "`selector` does not match template `labels`"))
            }
            if selector != WorkloadSelector(matchLabels: [Self.controllerUIDLabel: uid]) {
                errs.append(.invalid("spec.selector", .string(PodTemplateSpec.goMap(selector.matchLabels ?? [:])), "`selector` not auto-generated"))
            }
        } else if spec.selector != nil {
            errs.append(.invalid("spec.selector", .string(PodTemplateSpec.goMap(selector.matchLabels ?? [:])), "`selector` not auto-generated"))
        }
        if let template = spec.template {
            // Without a uid yet the generated selector does not exist: only the pod spec is checked.
            let checked = spec.manualSelector == true || metadata.uid != nil ? selector : WorkloadSelector()
            errs += template.validate(path: "spec.template", selector: checked, allowedRestartPolicies: [.onFailure, .never])
            if let policy = spec.podFailurePolicy {
                errs += validate(policy, template: template)
            }
            if let policy = spec.successPolicy { errs += validate(policy) }
        } else {
            errs.append(.required("spec.template", ""))
        }
        return errs
    }

    func validate(_ policy: PodFailurePolicy, template: PodTemplateSpec) -> [FieldError] {
        var errs: [FieldError] = []
        let restart = template.spec.restartPolicy ?? .always
        if restart != .never {
            errs.append(
                .invalid(
                    "spec.template.spec.restartPolicy", .string(restart.rawValue), "only \"Never\" is supported when podFailurePolicy is specified"))
        }
        let containers = Set((template.spec.containers + (template.spec.initContainers ?? [])).map(\.name))
        for (i, rule) in policy.rules.enumerated() {
            let path = "spec.podFailurePolicy.rules[\(i)]"
            if rule.action == "FailIndex" {
                if spec.backoffLimitPerIndex == nil {
                    errs.append(.invalid("\(path).action", .string(rule.action), "requires the backoffLimitPerIndex to be set"))
                }
            } else if !PodFailurePolicy.actions.contains(rule.action) {
                errs.append(.notSupported("\(path).action", .string(rule.action), supported: PodFailurePolicy.actions))
            }
            switch (rule.onExitCodes, rule.onPodConditions) {
            case (nil, nil), (.some, .some):
                errs.append(.invalid(path, .string(""), "specifying one of OnExitCodes and OnPodConditions is required"))
            case (let codes?, nil):
                let p = "\(path).onExitCodes"
                if let name = codes.containerName, !containers.contains(name) {
                    errs.append(.invalid("\(p).containerName", .string(name), "must be one of the container or initContainer names in the pod template"))
                }
                if !["In", "NotIn"].contains(codes.operator) {
                    errs.append(.notSupported("\(p).operator", .string(codes.operator), supported: ["In", "NotIn"]))
                }
                if codes.values.isEmpty {
                    errs.append(.invalid("\(p).values", .string("[]"), "at least one value is required"))
                } else if codes.values.count > 255 {
                    errs.append(FieldError(.tooMany(actual: codes.values.count, max: 255), field: "\(p).values"))
                }
                var previous: Int32?
                for (j, v) in codes.values.enumerated() {
                    if codes.operator == "In", v == 0 {
                        errs.append(.invalid("\(p).values[\(j)]", .int(0), "must not be 0 for the In operator"))
                    }
                    if let previous, previous == v {
                        errs.append(.duplicate("\(p).values[\(j)]", .int(Int64(v))))
                    } else if let previous, previous > v {
                        errs.append(.invalid("\(p).values[\(j)]", .int(Int64(v)), "must be ordered"))
                    }
                    previous = v
                }
            case (nil, let conditions?):
                for (j, c) in conditions.enumerated() where !["True", "False", "Unknown"].contains(c.status ?? "True") {
                    errs.append(
                        .notSupported(
                            "\(path).onPodConditions[\(j)].status", .string(c.status ?? ""), supported: ["False", "True", "Unknown"]))
                }
            }
        }
        return errs
    }

    /// The API server's Job update rules: the selector, the template (unless the Job is
    /// suspended), completionMode, podFailurePolicy and successPolicy are immutable.
    public func validateUpdate(from old: Job) -> [FieldError] {
        var errs: [FieldError] = []
        if spec.selector != old.spec.selector {
            errs.append(.invalid("spec.selector", .string(PodTemplateSpec.goMap(spec.selector?.matchLabels ?? [:])), "field is immutable"))
        }
        if spec.completionMode != old.spec.completionMode {
            errs.append(.invalid("spec.completionMode", .string(spec.completionMode?.rawValue ?? ""), "field is immutable"))
        }
        if spec.podFailurePolicy != old.spec.podFailurePolicy {
            errs.append(.invalid("spec.podFailurePolicy", .string(""), "field is immutable"))
        }
        if spec.backoffLimitPerIndex != old.spec.backoffLimitPerIndex {
            errs.append(.invalid("spec.backoffLimitPerIndex", spec.backoffLimitPerIndex.map { .int(Int64($0)) } ?? .null, "field is immutable"))
        }
        if spec.successPolicy != old.spec.successPolicy {
            errs.append(.invalid("spec.successPolicy", Self.jsonValue(spec.successPolicy), "field is immutable"))
        }
        if spec.template != old.spec.template, !(old.isSuspended && old.status?.startTime == nil) {
            errs.append(.invalid("spec.template", .string(""), "field is immutable"))
        }
        if spec.completions != old.spec.completions, !(isIndexed && spec.completions == spec.parallelism) {
            errs.append(.invalid("spec.completions", .int(Int64(spec.completions ?? 0)), "field is immutable"))
        }
        return errs
    }

    public func preservingStatus(of old: any KubeObject) -> any KubeObject {
        var copy = self
        copy.status = (old as? Job)?.status
        return copy
    }
}

