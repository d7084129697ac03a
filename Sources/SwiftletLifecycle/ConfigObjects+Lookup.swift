import SwiftletKube

/// ConfigMap or Secret: the kubelet reads both the same way for env and volumes and only words
/// its messages per kind.
enum ConfigKind: Sendable {
    case configMap, secret

    /// `configmap "x" not found`, `secret "x" not found`.
    func notFound(_ name: String) -> String {
        "\(self == .configMap ? "configmap" : "secret") \"\(name)\" not found"
    }

    /// `couldn't find key k in ConfigMap ns/x` (env `valueFrom`).
    func missingEnvKey(_ key: String, namespace: String, name: String) -> String {
        "couldn't find key \(key) in \(self == .configMap ? "ConfigMap" : "Secret") \(namespace)/\(name)"
    }

    /// The volume plugins' words for an item whose key is missing.
    func missingVolumeKey(_ key: String) -> String {
        self == .configMap ? "configmap references non-existent config key: \(key)" : "references non-existent secret key: \(key)"
    }

    /// How the kubelet's invalid-env-name warning names an `envFrom` source (`configMap ns/x`).
    var envFromLabel: String { self == .configMap ? "configMap" : "secret" }
}

extension ConfigObjects {
    /// Every key with its bytes, for volumes (a ConfigMap's `data` and `binaryData`); nil when absent.
    func payload(_ kind: ConfigKind, _ name: String) -> [String: [UInt8]]? {
        switch kind {
        case .configMap: configMaps[name]?.payload
        case .secret: secrets[name]?.payload
        }
    }

    /// The values env can read; nil when absent. The kubelet reads only a ConfigMap's `data`
    /// (`binaryData` never becomes env) and a Secret's bytes as a Go string.
    func envValues(_ kind: ConfigKind, _ name: String) -> [String: String]? {
        switch kind {
        case .configMap: configMaps[name].map { $0.data ?? [:] }
        case .secret: secrets[name]?.payload.mapValues { String(decoding: $0, as: UTF8.self) }
        }
    }
}

extension EnvFromSource {
    /// The ConfigMap or Secret this source names (`configMapRef` first, as the kubelet checks it first).
    var configRef: (kind: ConfigKind, ref: LocalObjectReference)? {
        configMapRef.map { (.configMap, $0) } ?? secretRef.map { (.secret, $0) }
    }
}

extension EnvVarSource {
    /// `configMapKeyRef` or `secretKeyRef`, in the kubelet's order.
    var configKeyRef: (kind: ConfigKind, ref: KeySelector)? {
        configMapKeyRef.map { (.configMap, $0) } ?? secretKeyRef.map { (.secret, $0) }
    }
}

extension Volume {
    /// A configMap or secret volume as one shape (their name fields differ: `name`, `secretName`).
    var configSource: (kind: ConfigKind, name: String, items: [KeyToPath]?, defaultMode: Int32?, optional: Bool)? {
        if let configMap { return (.configMap, configMap.name ?? "", configMap.items, configMap.defaultMode, configMap.optional == true) }
        if let secret { return (.secret, secret.secretName ?? "", secret.items, secret.defaultMode, secret.optional == true) }
        return nil
    }
}
