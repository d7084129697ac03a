/// `v1.PodSecurityContext`: defaults for every container of the pod, plus settings that only
/// exist at pod level (supplemental groups, fsGroup, sysctls).
public struct PodSecurityContext: Codable, Hashable, Sendable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]?
    public var fsGroup: Int64?
    public var fsGroupChangePolicy: String?
    public var seccompProfile: SeccompProfile?
    /// Kept for round-tripping; swiftlet does not set namespaced sysctls yet.
    public var sysctls: [Sysctl]?
    public var seLinuxOptions: SELinuxOptions?

    public static let supportedFSGroupChangePolicies = ["Always", "OnRootMismatch"]

    public init(
        runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
        supplementalGroups: [Int64]? = nil, fsGroup: Int64? = nil, seccompProfile: SeccompProfile? = nil
    ) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.supplementalGroups = supplementalGroups
        self.fsGroup = fsGroup
        self.seccompProfile = seccompProfile
    }
}

/// `v1.Sysctl`.
public struct Sysctl: Codable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case name, value }

    // Missing keys decode as "" (Go's zero value) so validation, not decoding, reports them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
    }
}
