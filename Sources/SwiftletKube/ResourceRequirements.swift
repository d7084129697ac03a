/// `v1.ResourceRequirements` (without `claims`, which needs dynamic resource allocation).
public struct ResourceRequirements: Codable, Hashable, Sendable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }

    /// The request the kubelet acts on: the declared one, else the limit (what defaulting
    /// fills in), so pods that skipped defaulting are treated the same.
    public func effectiveRequest(_ name: String) -> Quantity? {
        requests?[name] ?? limits?[name]
    }

    public func limit(_ name: String) -> Quantity? { limits?[name] }
}

/// Resource names (`k8s.io/kubernetes/pkg/apis/core/helper`).
public enum ResourceName {
    public static let cpu = "cpu"
    public static let memory = "memory"
    public static let ephemeralStorage = "ephemeral-storage"
    public static let pods = "pods"
    public static let hugePagesPrefix = "hugepages-"
    static let requestsPrefix = "requests."

    /// `standardContainerResources`.
    static let standardContainer: Set<String> = [cpu, memory, ephemeralStorage]

    /// `standardResources`: names a quota or node may carry without a domain.
    static let standard: Set<String> = [
        cpu, memory, ephemeralStorage, "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", pods, "services", "replicationcontrollers",
        "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps", "storage", "requests.storage",
        "services.nodeports", "services.loadbalancers",
    ]

    public static func isHugePages(_ name: String) -> Bool { name.hasPrefix(hugePagesPrefix) }

    /// `IsNativeResource`: no domain, or a `kubernetes.io/` one.
    public static func isNative(_ name: String) -> Bool {
        !name.contains("/") || name.contains("kubernetes.io/")
    }

    /// `IsExtendedResourceName`: a domain-qualified name outside kubernetes.io (`nvidia.com/gpu`).
    public static func isExtended(_ name: String) -> Bool {
        if isNative(name) || name.hasPrefix(requestsPrefix) { return false }
        return NameValidation.isQualifiedName(requestsPrefix + name).isEmpty
    }

    /// `IsOvercommitAllowed`: only native, non-hugepage resources may request less than the limit.
    public static func isOvercommitAllowed(_ name: String) -> Bool { isNative(name) && !isHugePages(name) }

    static func isStandardContainer(_ name: String) -> Bool { standardContainer.contains(name) || isHugePages(name) }

    static func isStandard(_ name: String) -> Bool {
        standard.contains(name) || isHugePages(name) || name.hasPrefix(requestsPrefix + hugePagesPrefix)
    }

    /// `HugePageSizeFromResourceName`: the page size in `hugepages-2Mi`.
    public static func hugePageSize(_ name: String) -> Quantity? {
        guard isHugePages(name) else { return nil }
        return try? Quantity(parsing: String(name.dropFirst(hugePagesPrefix.count)))
    }
}
