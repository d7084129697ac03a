/// `metav1.LabelSelector` as workload specs carry it (`matchLabels` + `matchExpressions`), as
/// opposed to `LabelSelector`, the parsed query-string form both can be turned into.
public struct WorkloadSelector: Codable, Hashable, Sendable {
    public struct Requirement: Codable, Hashable, Sendable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator op: String, values: [String]? = nil) {
            self.key = key
            self.operator = op
            self.values = values
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    public var isEmpty: Bool { (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty }

    /// `metav1.LabelSelectorAsSelector`; nil where it fails (an unknown operator, an empty In set),
    /// which validation refuses.
    public var selector: LabelSelector? {
        var requirements = (matchLabels ?? [:]).sorted { $0.key < $1.key }
            .map { LabelRequirement(key: $0.key, op: .equals, values: [$0.value]) }
        for e in matchExpressions ?? [] {
            let op: LabelRequirement.Operator
            switch e.operator {
            // `labels.NewRequirement` refuses an empty set for In/NotIn.
            case "In" where !(e.values ?? []).isEmpty: op = .in
            case "NotIn" where !(e.values ?? []).isEmpty: op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default: return nil
            }
            requirements.append(LabelRequirement(key: e.key, op: op, values: e.values ?? []))
        }
        return LabelSelector(requirements: requirements)
    }

    /// An empty selector selects nothing here: the API server refuses one on workloads anyway.
    public func matches(_ labels: [String: String]?) -> Bool {
        guard !isEmpty, let selector else { return false }
        return selector.matches(labels)
    }

    /// `ValidateLabelSelector`.
    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (key, value) in (matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errs += NameValidation.isQualifiedName(key).map { .invalid("\(path).matchLabels", .string(key), $0) }
            errs += NameValidation.isValidLabelValue(value).map { .invalid("\(path).matchLabels", .string(value), $0) }
        }
        for (i, e) in (matchExpressions ?? []).enumerated() {
            let p = "\(path).matchExpressions[\(i)]"
            switch e.operator {
            case "In", "NotIn":
                if (e.values ?? []).isEmpty {
                    errs.append(.required("\(p).values", "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !(e.values ?? []).isEmpty {
                    errs.append(.forbidden("\(p).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            default:
                errs.append(.invalid("\(p).operator", .string(e.operator), "not a valid selector operator"))
            }
            errs += NameValidation.isQualifiedName(e.key).map { .invalid("\(p).key", .string(e.key), $0) }
        }
        return errs
    }
}

/// `v1.PodTemplateSpec`.
public struct PodTemplateSpec: Codable, Hashable, Sendable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec

    public init(metadata: ObjectMeta? = nil, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    var labels: [String: String] { metadata?.labels ?? [:] }

    /// The pod defaulting applied to the template, as the API server does for every workload.
    mutating func applyDefaults() {
        let pod = Pod(metadata: metadata ?? ObjectMeta(), spec: spec).withDefaults()
        spec = pod.spec
    }

    /// `ValidatePodTemplateSpecForReplicaSet`: the template's labels must satisfy the selector,
    /// its pod spec must be valid, and only `allowedRestartPolicies` may run under a controller.
    func validate(path: String, selector: WorkloadSelector, allowedRestartPolicies: [RestartPolicy]) -> [FieldError] {
        var errs: [FieldError] = []
        if !selector.isEmpty, selector.selector != nil, !selector.matches(labels) {
            errs.append(
                .invalid(
                    "\(path).metadata.labels", .string(Self.goMap(labels)), "`selector` does not match template `labels`"))
        }
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            errs += NameValidation.isQualifiedName(key).map { .invalid("\(path).metadata.labels", .string(key), $0) }
            errs += NameValidation.isValidLabelValue(value).map { .invalid("\(path).metadata.labels", .string(value), $0) }
        }
        errs += spec.validate(path: "\(path).spec")
        let policy = spec.restartPolicy ?? .always
        if !allowedRestartPolicies.contains(policy) {
            errs.append(
                .notSupported("\(path).spec.restartPolicy", .string(policy.rawValue), supported: allowedRestartPolicies.map(\.rawValue)))
        }
        if spec.activeDeadlineSeconds != nil, allowedRestartPolicies == [.always] {
            errs.append(.forbidden("\(path).spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"))
        }
        return errs
    }

    /// Go's `%v` of a `map[string]string`, the value the API server prints for template labels.
    static func goMap(_ labels: [String: String]) -> String {
        "map[" + labels.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") + "]"
    }
}

/// `apps/v1` ReplicaSet.
public struct ReplicaSet: KubeObject {
    public static let kind = "ReplicaSet"
    public static let apiVersion = "apps/v1"
    public static let resource = "replicasets"

    public struct Spec: Codable, Hashable, Sendable {
        public var replicas: Int32?
        public var minReadySeconds: Int32?
        public var selector: WorkloadSelector?
        public var template: PodTemplateSpec?

        public init(replicas: Int32? = nil, selector: WorkloadSelector? = nil, template: PodTemplateSpec? = nil) {
            self.replicas = replicas
            self.selector = selector
            self.template = template
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var replicas: Int32 = 0
        public var fullyLabeledReplicas: Int32?
        public var readyReplicas: Int32?
        public var availableReplicas: Int32?
        public var observedGeneration: Int64?
        public var conditions: [Condition]?

        public init() {}
    }

    /// `ReplicaSetCondition`; the controller sets only `ReplicaFailure`.
    public struct Condition: Codable, Hashable, Sendable {
        public static let replicaFailure = "ReplicaFailure"

        public var type: String
        public var status: ConditionStatus
        public var lastTransitionTime: KubeTime?
        public var reason: String?
        public var message: String?

        public init(type: String, status: ConditionStatus, lastTransitionTime: KubeTime?, reason: String?, message: String?) {
            self.type = type
            self.status = status
            self.lastTransitionTime = lastTransitionTime
            self.reason = reason
            self.message = message
        }
    }

    public var apiVersion: String? = ReplicaSet.apiVersion
    public var kind: String? = ReplicaSet.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var replicas: Int32 { spec.replicas ?? 1 }

    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if spec.replicas == nil { spec.replicas = 1 }
        if spec.minReadySeconds == nil { spec.minReadySeconds = 0 }
        spec.template?.applyDefaults()
    }

    /// `ValidateReplicaSet` (`pkg/apis/apps/validation`).
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        if let replicas = spec.replicas, replicas < 0 {
            errs.append(.invalid("spec.replicas", .int(Int64(replicas)), "must be greater than or equal to 0"))
        }
        if let min = spec.minReadySeconds, min < 0 {
            errs.append(.invalid("spec.minReadySeconds", .int(Int64(min)), "must be greater than or equal to 0"))
        }
        let selector = spec.selector ?? WorkloadSelector()
        if selector.isEmpty {
            errs.append(.required("spec.selector", ""))
        } else {
            errs += selector.validate(path: "spec.selector")
        }
        if let template = spec.template {
            errs += template.validate(path: "spec.template", selector: selector, allowedRestartPolicies: [.always])
        } else {
            errs.append(.required("spec.template", ""))
        }
        return errs
    }

    public func validateUpdate(from old: ReplicaSet) -> [FieldError] {
        guard spec.selector != old.spec.selector else { return [] }
        return [.invalid("spec.selector", .string(PodTemplateSpec.goMap(spec.selector?.matchLabels ?? [:])), "field is immutable")]
    }

    public func preservingStatus(of old: any KubeObject) -> any KubeObject {
        var copy = self
        copy.status = (old as? ReplicaSet)?.status
        return copy
    }
}

extension OwnerReference {
    /// A controller reference (`metav1.NewControllerRef`): controller and blockOwnerDeletion set.
    public static func controllerRef(apiVersion: String, kind: String, name: String, uid: String) -> OwnerReference {
        OwnerReference(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: true, blockOwnerDeletion: true)
    }
}
