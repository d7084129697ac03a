/// `v1.Affinity`, of which only node affinity means anything on one node (pod affinity is about
/// other nodes' pods and is not kept).
public struct Affinity: Codable, Hashable, Sendable {
    public var nodeAffinity: NodeAffinity?

    public init(nodeAffinity: NodeAffinity? = nil) { self.nodeAffinity = nodeAffinity }
}

public struct NodeAffinity: Codable, Hashable, Sendable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    /// Scoring only: with one node there is nothing to prefer, so it never decides anything here.
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?

    public init(required: NodeSelector? = nil) { requiredDuringSchedulingIgnoredDuringExecution = required }
}

/// `v1.NodeSelector`: the terms are ORed.
public struct NodeSelector: Codable, Hashable, Sendable {
    public var nodeSelectorTerms: [NodeSelectorTerm]

    public init(nodeSelectorTerms: [NodeSelectorTerm]) { self.nodeSelectorTerms = nodeSelectorTerms }
}

/// `v1.NodeSelectorTerm`: every requirement of a term must hold; a term without any matches nothing.
public struct NodeSelectorTerm: Codable, Hashable, Sendable {
    public var matchExpressions: [NodeSelectorRequirement]?
    public var matchFields: [NodeSelectorRequirement]?

    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }
}

public struct NodeSelectorRequirement: Codable, Hashable, Sendable {
    public var key: String
    public var `operator`: String
    public var values: [String]?

    public init(key: String, operator op: String, values: [String]? = nil) {
        self.key = key
        self.operator = op
        self.values = values
    }
}

public struct PreferredSchedulingTerm: Codable, Hashable, Sendable {
    public var weight: Int32
    public var preference: NodeSelectorTerm
}

/// What a pod's placement rules are checked against: the node's name and labels.
public struct NodeIdentity: Hashable, Sendable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String]) {
        self.name = name
        self.labels = labels
    }

    /// The labels the kubelet puts on its Node (`initialNode`): host name, OS and architecture
    /// as Go names them, in their GA and legacy beta keys.
    public static func defaultLabels(nodeName: String, machine: String) -> [String: String] {
        let arch = goArch(machine)
        return [
            "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": arch,
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": arch,
        ]
    }

    /// `runtime.GOARCH` for a `uname -m`.
    public static func goArch(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case "i386", "i486", "i586", "i686": return "386"
        case "ppc64le": return "ppc64le"
        case "s390x": return "s390x"
        case "riscv64": return "riscv64"
        default: return machine.hasPrefix("arm") ? "arm" : machine
        }
    }
}

extension PodSpec {
    /// `PodMatchesNodeSelectorAndAffinityTerms` (component-helpers `nodeaffinity`): every
    /// `nodeSelector` label is on the node, and one of the required affinity terms holds.
    public func matchesNode(_ node: NodeIdentity) -> Bool {
        for (key, value) in nodeSelector ?? [:] where node.labels[key] != value { return false }
        guard let required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution else { return true }
        return required.nodeSelectorTerms.contains { $0.matches(node) }
    }

    /// `ValidateLabels` of `nodeSelector` and `validateAffinity`'s node part.
    func validateNodeSelection(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (key, value) in (nodeSelector ?? [:]).sorted(by: { $0.key < $1.key }) {
            errs += NameValidation.isQualifiedName(key).map { .invalid("\(path).nodeSelector", .string(key), $0) }
            errs += NameValidation.isValidLabelValue(value).map { .invalid("\(path).nodeSelector", .string(value), $0) }
        }
        guard let nodeAffinity = affinity?.nodeAffinity else { return errs }
        let p = "\(path).affinity.nodeAffinity"
        if let required = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution {
            let rp = "\(p).requiredDuringSchedulingIgnoredDuringExecution"
            if required.nodeSelectorTerms.isEmpty {
                errs.append(.required("\(rp).nodeSelectorTerms", "must have at least one node selector term"))
            }
            for (i, term) in required.nodeSelectorTerms.enumerated() {
                errs += term.validate(path: "\(rp).nodeSelectorTerms[\(i)]")
            }
        }
        for (i, preferred) in (nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).enumerated() {
            let pp = "\(p).preferredDuringSchedulingIgnoredDuringExecution[\(i)]"
            if preferred.weight < 1 || preferred.weight > 100 {
                errs.append(.invalid("\(pp).weight", .int(Int64(preferred.weight)), "must be in the range 1-100"))
            }
            errs += preferred.preference.validate(path: "\(pp).preference")
        }
        return errs
    }
}

extension NodeSelectorTerm {
    func matches(_ node: NodeIdentity) -> Bool {
        let expressions = matchExpressions ?? []
        let fields = matchFields ?? []
        guard !expressions.isEmpty || !fields.isEmpty else { return false }
        return expressions.allSatisfy { $0.matches(node.labels) } && fields.allSatisfy { $0.matchesFields(of: node) }
    }

    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, requirement) in (matchExpressions ?? []).enumerated() {
            errs += requirement.validateExpression(path: "\(path).matchExpressions[\(i)]")
        }
        for (i, requirement) in (matchFields ?? []).enumerated() {
            errs += requirement.validateField(path: "\(path).matchFields[\(i)]")
        }
        return errs
    }
}

extension NodeSelectorRequirement {
    /// `nodeSelectorRequirementsAsSelector`: NotIn and DoesNotExist hold for a missing label; Gt/Lt
    /// compare the label as an integer; a requirement that does not parse matches nothing.
    func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        let vals = values ?? []
        switch self.operator {
        case "In": return !vals.isEmpty && value.map(vals.contains) == true
        case "NotIn": return !vals.isEmpty && value.map { !vals.contains($0) } ?? true
        case "Exists": return vals.isEmpty && value != nil
        case "DoesNotExist": return vals.isEmpty && value == nil
        case "Gt", "Lt":
            guard vals.count == 1, let bound = Int64(vals[0]), let value, let number = Int64(value) else { return false }
            return self.operator == "Gt" ? number > bound : number < bound
        default: return false
        }
    }

    /// Only `metadata.name` can be selected by field, with In or NotIn.
    func matchesFields(of node: NodeIdentity) -> Bool {
        guard key == "metadata.name", let vals = values, !vals.isEmpty else { return false }
        switch self.operator {
        case "In": return vals.contains(node.name)
        case "NotIn": return !vals.contains(node.name)
        default: return false
        }
    }

    /// `ValidateNodeSelectorRequirement`.
    func validateExpression(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let count = values?.count ?? 0
        switch self.operator {
        case "In", "NotIn":
            if count == 0 { errs.append(.required("\(path).values", "must be specified when `operator` is 'In' or 'NotIn'")) }
        case "Exists", "DoesNotExist":
            if count > 0 {
                errs.append(.forbidden("\(path).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
            }
        case "Gt", "Lt":
            if count != 1 { errs.append(.required("\(path).values", "must be specified single value when `operator` is 'Lt' or 'Gt'")) }
        default:
            errs.append(.invalid("\(path).operator", .string(self.operator), "not a valid selector operator"))
        }
        errs += NameValidation.isQualifiedName(key).map { .invalid("\(path).key", .string(key), $0) }
        return errs
    }

    /// `ValidateNodeFieldSelectorRequirement`.
    func validateField(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        switch self.operator {
        case "In", "NotIn":
            if values?.count != 1 {
                errs.append(.required("\(path).values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
            }
        default:
            errs.append(.invalid("\(path).operator", .string(self.operator), "not a valid selector operator"))
        }
        if key != "metadata.name" {
            errs.append(.notSupported("\(path).key", .string(key), supported: ["metadata.name"]))
        }
        return errs
    }
}
