/// A namespaced Kubernetes object kind that swiftlet stores (not Pod, which has its own life):
/// decoded from manifest files by `kind`, served under `/api/v1/namespaces/{ns}/{resource}`,
/// validated with the API server's messages. A new kind conforms and is listed in `KubeObjectKinds`.
public protocol KubeObject: Codable, Hashable, Sendable {
    static var kind: String { get }
    static var apiVersion: String { get }
    /// The plural lower-case resource name used in API paths (`configmaps`).
    static var resource: String { get }
    var metadata: ObjectMeta { get set }
    /// API-server defaulting and normalisation before validation and storage.
    mutating func applyDefaults()
    /// `Validate<Kind>` (create); every problem with its field path.
    func validate() -> [FieldError]
    /// `ValidateUpdate`: extra rules that compare with the stored object (immutability).
    func validateUpdate(from old: Self) -> [FieldError]
    /// This object with the `.status` of `old` (the stored one): clients and manifest files write
    /// the spec, controllers the status, as with the API server's status subresource.
    func preservingStatus(of old: any KubeObject) -> any KubeObject
}

extension KubeObject {
    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? Pod.defaultNamespace }
    public var key: String { "\(namespace)/\(name)" }

    public func validateUpdate(from old: Self) -> [FieldError] { [] }
    public func preservingStatus(of old: any KubeObject) -> any KubeObject { self }

    /// `ValidateObjectMeta` for a namespaced object whose name is a DNS-1123 subdomain.
    func validateObjectMeta() -> [FieldError] { metadata.validateNameNamespaceAndLabels() }
}

/// The stored kinds, by `kind` (manifest files) and by resource (API paths).
public enum KubeObjectKinds {
    public static let all: [any KubeObject.Type] = [
        ConfigMap.self, Secret.self, ReplicaSet.self,
        Job.self, CronJob.self,
        Deployment.self, DaemonSet.self, ControllerRevision.self,
    ]

    public static func type(kind: String, apiVersion: String) -> (any KubeObject.Type)? {
        all.first { $0.kind == kind && $0.apiVersion == apiVersion }
    }

    public static func type(resource: String) -> (any KubeObject.Type)? {
        all.first { $0.resource == resource }
    }

    /// The kind served under `/api/v1` (core, `apiVersion` "v1") or `/apis/{group}/{version}`.
    public static func type(resource: String, apiVersion: String) -> (any KubeObject.Type)? {
        all.first { $0.resource == resource && $0.apiVersion == apiVersion }
    }
}

/// A stored object of any kind, comparable and hashable through its concrete type.
public struct AnyKubeObject: Hashable, Sendable {
    public let value: any KubeObject

    public init(_ value: any KubeObject) { self.value = value }

    public var kind: String { type(of: value).kind }
    public var resource: String { type(of: value).resource }
    public var metadata: ObjectMeta { value.metadata }
    public var key: String { value.key }

    public static func == (a: AnyKubeObject, b: AnyKubeObject) -> Bool { AnyHashable(a.value) == AnyHashable(b.value) }
    public func hash(into hasher: inout Hasher) { hasher.combine(AnyHashable(value)) }
}

extension NameValidation {
    static let configMapKeyFormat = "[-._a-zA-Z0-9]+"
    static let configMapKeyError =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

    /// `IsConfigMapKey`: a file name inside a ConfigMap/Secret volume.
    public static func isConfigMapKey(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > 253 { errs.append(maxLenError(253)) }
        let ok = !value.isEmpty && value.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        if !ok { errs.append(regexError(configMapKeyError, configMapKeyFormat, "key.name", "KEY_NAME", "key-name")) }
        errs += hasChDirPrefix(value)
        return errs
    }
}
