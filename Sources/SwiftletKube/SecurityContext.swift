/// `v1.SecurityContext`: per-container settings; where a field also exists on
/// `PodSecurityContext`, the container's value wins.
///
/// Enum-like fields (`procMount`, `seccompProfile.type`) are plain strings, as in Go, so a bad
/// value decodes and validation names it instead of failing the whole manifest.
public struct SecurityContext: Codable, Hashable, Sendable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?
    public var seLinuxOptions: SELinuxOptions?

    public init(
        capabilities: Capabilities? = nil, privileged: Bool? = nil, runAsUser: Int64? = nil,
        runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil, readOnlyRootFilesystem: Bool? = nil,
        allowPrivilegeEscalation: Bool? = nil, procMount: String? = nil, seccompProfile: SeccompProfile? = nil
    ) {
        self.capabilities = capabilities
        self.privileged = privileged
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.procMount = procMount
        self.seccompProfile = seccompProfile
    }
}

/// `v1.Capabilities`: names as written (`NET_ADMIN`; the `CAP_` prefix is not expected).
public struct Capabilities: Codable, Hashable, Sendable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// `v1.ProcMountType` values.
public enum ProcMountType {
    public static let `default` = "Default"
    public static let unmasked = "Unmasked"
    public static let all = [ProcMountType.default, ProcMountType.unmasked]
}

/// `v1.SeccompProfile`.
public struct SeccompProfile: Codable, Hashable, Sendable {
    public var type: String
    /// Relative to the node's seccomp profile root; only with `type: Localhost`.
    public var localhostProfile: String?

    public static let runtimeDefault = "RuntimeDefault"
    public static let unconfined = "Unconfined"
    public static let localhost = "Localhost"
    /// The API server's order in its `supported values` message.
    public static let supportedTypes = [localhost, runtimeDefault, unconfined]

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }

    enum CodingKeys: String, CodingKey { case type, localhostProfile }

    // A missing `type` decodes as "" so validation reports it as required, as the API server does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        localhostProfile = try c.decodeIfPresent(String.self, forKey: .localhostProfile)
    }
}

/// `v1.SELinuxOptions`: decoded and kept so a manifest round-trips; swiftlet does not label processes.
public struct SELinuxOptions: Codable, Hashable, Sendable {
    public var user: String?
    public var role: String?
    public var type: String?
    public var level: String?

    public init(user: String? = nil, role: String? = nil, type: String? = nil, level: String? = nil) {
        self.user = user
        self.role = role
        self.type = type
        self.level = level
    }
}
