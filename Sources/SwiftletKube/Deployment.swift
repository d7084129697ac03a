/// `apps/v1` Deployment: the spec clients and files write, the status the deployment controller
/// (`SwiftletLifecycle/DeploymentController`) writes.
public struct Deployment: KubeObject {
    public static let kind = "Deployment"
    public static let apiVersion = "apps/v1"
    public static let resource = "deployments"

    public struct RollingUpdate: Codable, Hashable, Sendable {
        public var maxUnavailable: IntOrString?
        public var maxSurge: IntOrString?

        public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
            self.maxUnavailable = maxUnavailable
            self.maxSurge = maxSurge
        }
    }

    public struct Strategy: Codable, Hashable, Sendable {
        public static let recreate = "Recreate"
        public static let rollingUpdate = "RollingUpdate"

        public var type: String?
        public var rollingUpdate: RollingUpdate?

        public init(type: String? = nil, rollingUpdate: RollingUpdate? = nil) {
            self.type = type
            self.rollingUpdate = rollingUpdate
        }
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var replicas: Int32?
        public var selector: WorkloadSelector?
        public var template: PodTemplateSpec?
        public var strategy: Strategy?
        public var minReadySeconds: Int32?
        public var revisionHistoryLimit: Int32?
        public var paused: Bool?
        public var progressDeadlineSeconds: Int32?

        public init(replicas: Int32? = nil, selector: WorkloadSelector? = nil, template: PodTemplateSpec? = nil, strategy: Strategy? = nil) {
            self.replicas = replicas
            self.selector = selector
            self.template = template
            self.strategy = strategy
        }
    }

    public struct Condition: Codable, Hashable, Sendable {
        public static let available = "Available"
        public static let progressing = "Progressing"
        public static let replicaFailure = "ReplicaFailure"

        public var type: String
        public var status: String
        public var lastUpdateTime: KubeTime?
        public var lastTransitionTime: KubeTime?
        public var reason: String?
        public var message: String?

        public init(type: String, status: String, reason: String, message: String, now: KubeTime) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
            self.lastUpdateTime = now
            self.lastTransitionTime = now
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var observedGeneration: Int64?
        public var replicas: Int32?
        public var updatedReplicas: Int32?
        public var readyReplicas: Int32?
        public var availableReplicas: Int32?
        public var unavailableReplicas: Int32?
        public var conditions: [Condition]?
        public var collisionCount: Int32?

        public init() {}

        public func condition(_ type: String) -> Condition? { conditions?.first { $0.type == type } }
    }

    public var apiVersion: String? = Deployment.apiVersion
    public var kind: String? = Deployment.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var replicas: Int32 { spec.replicas ?? 1 }
    public var isRollingUpdate: Bool { (spec.strategy?.type ?? Strategy.rollingUpdate) == Strategy.rollingUpdate }

    /// `SetDefaults_Deployment` (apps/v1): one replica, RollingUpdate 25%/25%, 10 old
    /// ReplicaSets kept, a 600 s progress deadline.
    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if spec.replicas == nil { spec.replicas = 1 }
        if spec.minReadySeconds == nil { spec.minReadySeconds = 0 }
        var strategy = spec.strategy ?? Strategy()
        if strategy.type == nil { strategy.type = Strategy.rollingUpdate }
        if strategy.type == Strategy.rollingUpdate {
            var rolling = strategy.rollingUpdate ?? RollingUpdate()
            if rolling.maxUnavailable == nil { rolling.maxUnavailable = .string("25%") }
            if rolling.maxSurge == nil { rolling.maxSurge = .string("25%") }
            strategy.rollingUpdate = rolling
        }
        spec.strategy = strategy
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        if spec.progressDeadlineSeconds == nil { spec.progressDeadlineSeconds = 600 }
        spec.template?.applyDefaults()
    }

    /// `ValidateDeployment` (`pkg/apis/apps/validation`).
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        errs += nonNegative(spec.replicas, "spec.replicas")
        let selector = spec.selector ?? WorkloadSelector()
        if spec.selector == nil {
            errs.append(.required("spec.selector", ""))
        } else if selector.isEmpty {
            errs.append(.invalid("spec.selector", .string(PodTemplateSpec.goMap([:])), "empty selector is invalid for deployment"))
        } else {
            errs += selector.validate(path: "spec.selector")
        }
        if let template = spec.template {
            errs += template.validate(path: "spec.template", selector: selector, allowedRestartPolicies: [.always])
        } else {
            errs.append(.required("spec.template", ""))
        }
        errs += validateStrategy()
        errs += nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit")
        errs += nonNegative(spec.minReadySeconds, "spec.minReadySeconds")
        if let deadline = spec.progressDeadlineSeconds {
            errs += nonNegative(deadline, "spec.progressDeadlineSeconds")
            if deadline <= spec.minReadySeconds ?? 0 {
                errs.append(.invalid("spec.progressDeadlineSeconds", .int(Int64(deadline)), "must be greater than minReadySeconds"))
            }
        }
        return errs
    }

    /// `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`.
    func validateStrategy() -> [FieldError] {
        let strategy = spec.strategy ?? Strategy(type: Strategy.rollingUpdate)
        switch strategy.type {
        case Strategy.recreate:
            if strategy.rollingUpdate != nil {
                return [.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")]
            }
            return []
        case Strategy.rollingUpdate:
            guard let rolling = strategy.rollingUpdate else {
                return [.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")]
            }
            var errs = Self.validatePositiveIntOrPercent(rolling.maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable")
            errs += Self.validatePositiveIntOrPercent(rolling.maxSurge, "spec.strategy.rollingUpdate.maxSurge")
            if Self.intOrPercentValue(rolling.maxUnavailable) == 0, Self.intOrPercentValue(rolling.maxSurge) == 0 {
                errs.append(
                    .invalid(
                        "spec.strategy.rollingUpdate.maxUnavailable", Self.fieldValue(rolling.maxUnavailable),
                        "may not be 0 when `maxSurge` is 0"))
            }
            if case .string(let s)? = rolling.maxUnavailable, let percent = Self.percent(s), percent > 100 {
                errs.append(.invalid("spec.strategy.rollingUpdate.maxUnavailable", .string(s), "must not be greater than 100%"))
            }
            return errs
        default:
            return [
                .notSupported("spec.strategy.type", .string(strategy.type ?? ""), supported: [Strategy.recreate, Strategy.rollingUpdate])
            ]
        }
    }

    func nonNegative(_ value: Int32?, _ path: String) -> [FieldError] {
        guard let value, value < 0 else { return [] }
        return [.invalid(path, .int(Int64(value)), "must be greater than or equal to 0")]
    }

    static func fieldValue(_ value: IntOrString?) -> FieldError.Value {
        switch value {
        case .int(let n)?: return .int(Int64(n))
        case .string(let s)?: return .string(s)
        case nil: return .string("")
        }
    }

    /// `ValidatePositiveIntOrPercent`.
    static func validatePositiveIntOrPercent(_ value: IntOrString?, _ path: String) -> [FieldError] {
        switch value {
        case .string(let s)?:
            return percent(s) == nil ? [.invalid(path, .string(s), "must be an integer or percentage (e.g '5%')")] : []
        case .int(let n)? where n < 0:
            return [.invalid(path, .int(Int64(n)), "must be greater than or equal to 0")]
        default:
            return []
        }
    }

    /// `^[0-9]+%$` as a number.
    static func percent(_ s: String) -> Int? {
        guard s.hasSuffix("%"), s.count > 1 else { return nil }
        let digits = s.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits) ?? Int.max
    }

    /// `getIntOrPercentValue`: the number, with or without its percent sign.
    public static func intOrPercentValue(_ value: IntOrString?) -> Int? {
        switch value {
        case .int(let n)?: return Int(n)
        case .string(let s)?: return percent(s)
        case nil: return 0
        }
    }

    /// `intstr.GetScaledValueFromIntOrPercent`: a percentage of `total`, rounded up or down.
    public static func scaledValue(_ value: IntOrString?, total: Int32, roundUp: Bool) -> Int32 {
        switch value {
        case .int(let n)?: return n
        case .string(let s)?:
            guard let p = percent(s) else { return 0 }
            let product = Int64(p) * Int64(total)
            return Int32(clamping: roundUp ? (product + 99) / 100 : product / 100)
        case nil: return 0
        }
    }

    /// `ValidateDeploymentUpdate`: the selector is immutable in apps/v1.
    public func validateUpdate(from old: Deployment) -> [FieldError] {
        guard spec.selector != old.spec.selector else { return [] }
        return [.invalid("spec.selector", .string(PodTemplateSpec.goMap(spec.selector?.matchLabels ?? [:])), "field is immutable")]
    }

    /// The status, and the revision annotation the controller keeps on the Deployment, survive a
    /// client's or a file's write of the spec.
    public func preservingStatus(of old: any KubeObject) -> any KubeObject {
        var copy = self
        guard let old = old as? Deployment else { return copy }
        copy.status = old.status
        if let revision = old.metadata.annotations?[DeploymentAnnotations.revision], copy.metadata.annotations?[DeploymentAnnotations.revision] == nil {
            copy.metadata.annotations = (copy.metadata.annotations ?? [:]).merging([DeploymentAnnotations.revision: revision]) { a, _ in a }
        }
        return copy
    }
}

/// The annotations the deployment controller and kubectl keep on Deployments and ReplicaSets.
public enum DeploymentAnnotations {
    public static let revision = "deployment.kubernetes.io/revision"
    public static let revisionHistory = "deployment.kubernetes.io/revision-history"
    public static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    public static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    public static let changeCause = "kubernetes.io/change-cause"
    public static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
    public static let restartedAt = "kubectl.kubernetes.io/restartedAt"
    /// The label that tells a Deployment's ReplicaSets (and their pods) apart.
    public static let podTemplateHash = "pod-template-hash"

    /// `annotationsToSkip`: not copied from a Deployment onto its ReplicaSets (nor back on rollback).
    public static let notCopied: Set<String> = [lastApplied, revision, revisionHistory, desiredReplicas, maxReplicas, "deprecated.deployment.rollback.to"]
}
