/// `v1.Volume`: a name and exactly one source. Sources swiftlet does not implement are remembered
/// by their field name so validation can refuse them by name instead of silently dropping them.
public struct Volume: Codable, Hashable, Sendable {
    public var name: String
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var secret: SecretVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var projected: ProjectedVolumeSource?
    /// Other volume types present in the manifest (`persistentVolumeClaim`, `nfs`, ...), by field name.
    public var unsupportedSources: [String] = []

    public init(name: String) { self.name = name }

    /// Every `v1.VolumeSource` field of the API, so an unknown key is recognised as a volume type.
    static let otherSourceFields: Set<String> = [
        "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim",
        "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
        "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
    ]

    enum CodingKeys: String, CodingKey {
        case name, emptyDir, hostPath, configMap, secret, downwardAPI, projected
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        emptyDir = try c.decodeIfPresent(EmptyDirVolumeSource.self, forKey: .emptyDir)
        hostPath = try c.decodeIfPresent(HostPathVolumeSource.self, forKey: .hostPath)
        configMap = try c.decodeIfPresent(ConfigMapVolumeSource.self, forKey: .configMap)
        secret = try c.decodeIfPresent(SecretVolumeSource.self, forKey: .secret)
        downwardAPI = try c.decodeIfPresent(DownwardAPIVolumeSource.self, forKey: .downwardAPI)
        projected = try c.decodeIfPresent(ProjectedVolumeSource.self, forKey: .projected)
        let any = try decoder.container(keyedBy: AnyKey.self)
        unsupportedSources = any.allKeys.map(\.stringValue).filter { Volume.otherSourceFields.contains($0) }.sorted()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(emptyDir, forKey: .emptyDir)
        try c.encodeIfPresent(hostPath, forKey: .hostPath)
        try c.encodeIfPresent(configMap, forKey: .configMap)
        try c.encodeIfPresent(secret, forKey: .secret)
        try c.encodeIfPresent(downwardAPI, forKey: .downwardAPI)
        try c.encodeIfPresent(projected, forKey: .projected)
    }

    /// The field names of the sources that are set, in API order.
    public var sourceFields: [String] {
        var fields: [String] = []
        if emptyDir != nil { fields.append("emptyDir") }
        if hostPath != nil { fields.append("hostPath") }
        if configMap != nil { fields.append("configMap") }
        if secret != nil { fields.append("secret") }
        if downwardAPI != nil { fields.append("downwardAPI") }
        if projected != nil { fields.append("projected") }
        return fields + unsupportedSources
    }
}

public struct EmptyDirVolumeSource: Codable, Hashable, Sendable {
    /// "" (node disk) or "Memory" (tmpfs).
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

public struct HostPathVolumeSource: Codable, Hashable, Sendable {
    public var path: String
    /// `v1.HostPathType`; "" means no check.
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }

    public static let supportedTypes = [
        "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket",
    ]
}

/// `v1.KeyToPath`: one key of a ConfigMap or Secret projected to a relative path.
public struct KeyToPath: Codable, Hashable, Sendable {
    public var key: String
    public var path: String
    public var mode: Int32?

    public init(key: String, path: String, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

public struct ConfigMapVolumeSource: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

public struct SecretVolumeSource: Codable, Hashable, Sendable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(secretName: String, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

public struct DownwardAPIVolumeFile: Codable, Hashable, Sendable {
    public var path: String
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(path: String, fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil, mode: Int32? = nil) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}

public struct DownwardAPIVolumeSource: Codable, Hashable, Sendable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int32? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

public struct ProjectedVolumeSource: Codable, Hashable, Sendable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int32?

    public init(sources: [VolumeProjection]? = nil, defaultMode: Int32? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}

/// One source of a projected volume. `serviceAccountToken` and `clusterTrustBundle` are kept as
/// written so validation can refuse them by name.
public struct VolumeProjection: Codable, Hashable, Sendable {
    public var configMap: ConfigMapProjection?
    public var secret: SecretProjection?
    public var downwardAPI: DownwardAPIProjection?
    public var serviceAccountToken: JSONValue?
    public var clusterTrustBundle: JSONValue?

    public init(configMap: ConfigMapProjection? = nil, secret: SecretProjection? = nil, downwardAPI: DownwardAPIProjection? = nil) {
        self.configMap = configMap
        self.secret = secret
        self.downwardAPI = downwardAPI
    }
}

/// `v1.ConfigMapProjection` and `v1.SecretProjection`: the same fields, one type.
public struct KeysProjection: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(name: String, items: [KeyToPath]? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

public typealias ConfigMapProjection = KeysProjection
public typealias SecretProjection = KeysProjection

public struct DownwardAPIProjection: Codable, Hashable, Sendable {
    public var items: [DownwardAPIVolumeFile]?

    public init(items: [DownwardAPIVolumeFile]? = nil) { self.items = items }
}

/// `v1.VolumeMount`.
public struct VolumeMount: Codable, Hashable, Sendable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool?
    public var subPath: String?
    public var subPathExpr: String?
    /// "None" (default), "HostToContainer" or "Bidirectional".
    public var mountPropagation: String?

    public init(name: String, mountPath: String, readOnly: Bool? = nil, subPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }

    enum CodingKeys: String, CodingKey { case name, mountPath, readOnly, subPath, subPathExpr, mountPropagation }

    // Lenient on the required strings so validation names the missing field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        mountPath = try c.decodeIfPresent(String.self, forKey: .mountPath) ?? ""
        readOnly = try c.decodeIfPresent(Bool.self, forKey: .readOnly)
        subPath = try c.decodeIfPresent(String.self, forKey: .subPath)
        subPathExpr = try c.decodeIfPresent(String.self, forKey: .subPathExpr)
        mountPropagation = try c.decodeIfPresent(String.self, forKey: .mountPropagation)
    }

    public static let supportedPropagation = ["Bidirectional", "HostToContainer", "None"]
}
