/// `apps/v1` DaemonSet: one pod per node whose labels its template selects — here, at most one
/// pod on this node (`SwiftletLifecycle/DaemonSetController`).
public struct DaemonSet: KubeObject {
    public static let kind = "DaemonSet"
    public static let apiVersion = "apps/v1"
    public static let resource = "daemonsets"

    /// `RollingUpdateDaemonSet` has the fields of `RollingUpdateDeployment` (only the defaults differ, see `applyDefaults`).
    public typealias RollingUpdate = Deployment.RollingUpdate

    public struct UpdateStrategy: Codable, Hashable, Sendable {
        public static let rollingUpdate = "RollingUpdate"
        public static let onDelete = "OnDelete"

        public var type: String?
        public var rollingUpdate: RollingUpdate?

        public init(type: String? = nil, rollingUpdate: RollingUpdate? = nil) {
            self.type = type
            self.rollingUpdate = rollingUpdate
        }
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var selector: WorkloadSelector?
        public var template: PodTemplateSpec?
        public var updateStrategy: UpdateStrategy?
        public var minReadySeconds: Int32?
        public var revisionHistoryLimit: Int32?

        public init(selector: WorkloadSelector? = nil, template: PodTemplateSpec? = nil, updateStrategy: UpdateStrategy? = nil) {
            self.selector = selector
            self.template = template
            self.updateStrategy = updateStrategy
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var currentNumberScheduled: Int32 = 0
        public var numberMisscheduled: Int32 = 0
        public var desiredNumberScheduled: Int32 = 0
        public var numberReady: Int32 = 0
        public var observedGeneration: Int64?
        public var updatedNumberScheduled: Int32?
        public var numberAvailable: Int32?
        public var numberUnavailable: Int32?
        public var collisionCount: Int32?

        public init() {}
    }

    public var apiVersion: String? = DaemonSet.apiVersion
    public var kind: String? = DaemonSet.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// The annotation through which apps/v1 carries the internal `spec.templateGeneration`: 1 on
    /// creation, +1 whenever the template changes. Pods get it as `pod-template-generation`.
    public static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"
    public static let templateGenerationLabel = "pod-template-generation"
    /// The label naming the ControllerRevision a pod was made from.
    public static let revisionHashLabel = "controller-revision-hash"

    public var templateGeneration: Int64? {
        metadata.annotations?[Self.templateGenerationAnnotation].flatMap { Int64($0) }
    }

    public var strategyType: String { spec.updateStrategy?.type ?? UpdateStrategy.rollingUpdate }

    /// `SetDefaults_DaemonSet` (apps/v1): RollingUpdate with maxUnavailable 1 and maxSurge 0,
    /// 10 old revisions kept; plus the template generation the registry strategy starts at 1.
    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        var strategy = spec.updateStrategy ?? UpdateStrategy()
        if strategy.type == nil { strategy.type = UpdateStrategy.rollingUpdate }
        if strategy.type == UpdateStrategy.rollingUpdate {
            var rolling = strategy.rollingUpdate ?? RollingUpdate()
            if rolling.maxUnavailable == nil { rolling.maxUnavailable = .int(1) }
            if rolling.maxSurge == nil { rolling.maxSurge = .int(0) }
            strategy.rollingUpdate = rolling
        }
        spec.updateStrategy = strategy
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        if spec.minReadySeconds == nil { spec.minReadySeconds = 0 }
        if templateGeneration == nil {
            metadata.annotations = (metadata.annotations ?? [:]).merging([Self.templateGenerationAnnotation: "1"]) { _, new in new }
        }
        spec.template?.applyDefaults()
    }

    /// `ValidateDaemonSet` / `ValidateDaemonSetSpec` (`pkg/apis/apps/validation`).
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        let selector = spec.selector ?? WorkloadSelector()
        if spec.selector == nil {
            errs.append(.required("spec.selector", ""))
        } else if selector.isEmpty {
            errs.append(.invalid("spec.selector", .string(PodTemplateSpec.goMap([:])), "empty selector is invalid for daemonset"))
        } else {
            errs += selector.validate(path: "spec.selector")
        }
        if let template = spec.template {
            // Every restart policy passes the template check; the DaemonSet's own rules follow.
            errs += template.validate(path: "spec.template", selector: selector, allowedRestartPolicies: RestartPolicy.allCases)
            let policy = template.spec.restartPolicy ?? .always
            if policy != .always {
                errs.append(.notSupported("spec.template.spec.restartPolicy", .string(policy.rawValue), supported: ["Always"]))
            }
            if let deadline = template.spec.activeDeadlineSeconds {
                errs.append(
                    .invalid("spec.template.spec.activeDeadlineSeconds", .int(deadline), "activeDeadlineSeconds in DaemonSet is not Supported"))
            }
        } else {
            errs.append(.required("spec.template", ""))
        }
        if let min = spec.minReadySeconds, min < 0 {
            errs.append(.invalid("spec.minReadySeconds", .int(Int64(min)), "must be greater than or equal to 0"))
        }
        if let limit = spec.revisionHistoryLimit, limit < 0 {
            errs.append(.invalid("spec.revisionHistoryLimit", .int(Int64(limit)), "must be greater than or equal to 0"))
        }
        errs += validateUpdateStrategy()
        return errs
    }

    /// `ValidateDaemonSetUpdateStrategy` and `ValidateRollingUpdateDaemonSet`: exactly one of
    /// maxUnavailable and maxSurge is non-zero, neither above 100%.
    func validateUpdateStrategy() -> [FieldError] {
        let strategy = spec.updateStrategy ?? UpdateStrategy(type: UpdateStrategy.rollingUpdate)
        let path = "spec.updateStrategy"
        switch strategy.type {
        case UpdateStrategy.onDelete:
            return []
        case UpdateStrategy.rollingUpdate:
            guard let rolling = strategy.rollingUpdate else { return [.required("\(path).rollingUpdate", "")] }
            let unavailablePath = "\(path).rollingUpdate.maxUnavailable"
            let surgePath = "\(path).rollingUpdate.maxSurge"
            var errs = Deployment.validatePositiveIntOrPercent(rolling.maxUnavailable, unavailablePath)
            errs += Deployment.validatePositiveIntOrPercent(rolling.maxSurge, surgePath)
            for (value, p) in [(rolling.maxUnavailable, unavailablePath), (rolling.maxSurge, surgePath)] {
                if case .string(let s)? = value, let percent = Deployment.percent(s), percent > 100 {
                    errs.append(.invalid(p, .string(s), "must not be greater than 100%"))
                }
            }
            let hasUnavailable = Deployment.intOrPercentValue(rolling.maxUnavailable) != 0
            let hasSurge = Deployment.intOrPercentValue(rolling.maxSurge) != 0
            if hasUnavailable && hasSurge {
                errs.append(.invalid(surgePath, Deployment.fieldValue(rolling.maxSurge), "may not be set when maxUnavailable is non-zero"))
            } else if !hasUnavailable && !hasSurge {
                errs.append(.required(unavailablePath, "cannot be 0 when maxSurge is 0"))
            }
            return errs
        default:
            return [
                .notSupported(
                    "\(path).type", .string(strategy.type ?? ""), supported: [UpdateStrategy.onDelete, UpdateStrategy.rollingUpdate])
            ]
        }
    }

    /// `ValidateDaemonSetUpdate`: the selector is immutable.
    public func validateUpdate(from old: DaemonSet) -> [FieldError] {
        guard spec.selector != old.spec.selector else { return [] }
        return [.invalid("spec.selector", .string(PodTemplateSpec.goMap(spec.selector?.matchLabels ?? [:])), "field is immutable")]
    }

    /// Keeps the controller's status, and carries the template generation on: +1 when the
    /// template changed (the registry strategy's `PrepareForUpdate`), whatever the client sent.
    public func preservingStatus(of old: any KubeObject) -> any KubeObject {
        var copy = self
        guard let old = old as? DaemonSet else { return copy }
        copy.status = old.status
        let previous = old.templateGeneration ?? 1
        let generation = spec.template == old.spec.template ? previous : previous + 1
        copy.metadata.annotations = (copy.metadata.annotations ?? [:])
            .merging([Self.templateGenerationAnnotation: String(generation)]) { _, new in new }
        return copy
    }
}
