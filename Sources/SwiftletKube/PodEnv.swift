/// `v1.EnvVarSource`: exactly one of the four references.
public struct EnvVarSource: Codable, Hashable, Sendable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: ConfigMapKeySelector?
    public var secretKeyRef: SecretKeySelector?

    public init(
        fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil,
        configMapKeyRef: ConfigMapKeySelector? = nil, secretKeyRef: SecretKeySelector? = nil
    ) {
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.configMapKeyRef = configMapKeyRef
        self.secretKeyRef = secretKeyRef
    }
}

/// `v1.ObjectFieldSelector` (the downward API's `fieldRef`).
public struct ObjectFieldSelector: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var fieldPath: String

    public init(fieldPath: String, apiVersion: String? = nil) {
        self.fieldPath = fieldPath
        self.apiVersion = apiVersion
    }
}

/// `v1.ResourceFieldSelector` (`resourceFieldRef`): a container's request or limit, divided by `divisor`.
public struct ResourceFieldSelector: Codable, Hashable, Sendable {
    public var containerName: String?
    public var resource: String
    public var divisor: Quantity?

    public init(resource: String, containerName: String? = nil, divisor: Quantity? = nil) {
        self.resource = resource
        self.containerName = containerName
        self.divisor = divisor
    }
}

/// `v1.ConfigMapKeySelector` and `v1.SecretKeySelector`: the API gives both the same fields, so
/// one type serves both (as `LocalObjectReference` serves `configMapRef` and `secretRef`).
public struct KeySelector: Codable, Hashable, Sendable {
    public var name: String?
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

public typealias ConfigMapKeySelector = KeySelector
public typealias SecretKeySelector = KeySelector

/// `v1.EnvFromSource`: every key of a ConfigMap or Secret, optionally prefixed.
public struct EnvFromSource: Codable, Hashable, Sendable {
    public var prefix: String?
    public var configMapRef: LocalObjectReference?
    public var secretRef: LocalObjectReference?

    public init(prefix: String? = nil, configMapRef: LocalObjectReference? = nil, secretRef: LocalObjectReference? = nil) {
        self.prefix = prefix
        self.configMapRef = configMapRef
        self.secretRef = secretRef
    }
}

/// `v1.ConfigMapEnvSource` / `v1.SecretEnvSource`: a name in the pod's namespace, optionally optional.
public struct LocalObjectReference: Codable, Hashable, Sendable {
    public var name: String?
    public var optional: Bool?

    public init(name: String, optional: Bool? = nil) {
        self.name = name
        self.optional = optional
    }
}
