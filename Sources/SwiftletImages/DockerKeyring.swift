import Foundation

/// The credentials a pod's image pull tries, in the kubelet's order (`credentialprovider/secrets`
/// `MakeDockerKeyring` over the node's keyring): every match from the pod's pull secrets, in the
/// order of `spec.imagePullSecrets`, then the node's config.json match. The puller tries each in turn
/// and stops at the first success; with no match at all it pulls anonymously.
public struct DockerKeyring: Sendable, Equatable {
    /// One pull secret as the keyring reads it: its type and decoded data.
    public struct PullSecret: Sendable, Equatable {
        public var name: String
        public var type: String
        public var data: [String: [UInt8]]

        public init(name: String, type: String, data: [String: [UInt8]]) {
            self.name = name
            self.type = type
            self.data = data
        }
    }

    public static let dockerConfigJSONType = "kubernetes.io/dockerconfigjson"
    public static let dockerConfigJSONKey = ".dockerconfigjson"
    public static let dockercfgType = "kubernetes.io/dockercfg"
    public static let dockercfgKey = ".dockercfg"

    /// The pull secrets' configurations, in order.
    public var configs: [DockerConfigFile]

    public init(configs: [DockerConfigFile]) { self.configs = configs }

    /// Reads the secrets as the kubelet does: a `kubernetes.io/dockerconfigjson` secret's
    /// `.dockerconfigjson` (a config.json, `auths` inside) or a `kubernetes.io/dockercfg` secret's
    /// `.dockercfg` (the entries at the top level); other types, and those keys missing or empty, are
    /// ignored. Unparsable JSON fails the pull, naming the secret.
    public init(pullSecrets: [PullSecret]) throws {
        var configs: [DockerConfigFile] = []
        for secret in pullSecrets {
            let bytes: [UInt8]?
            switch secret.type {
            case Self.dockerConfigJSONType: bytes = secret.data[Self.dockerConfigJSONKey]
            case Self.dockercfgType: bytes = secret.data[Self.dockercfgKey]
            default: bytes = nil
            }
            guard let bytes, !bytes.isEmpty else { continue }
            do { configs.append(try DockerConfigFile(json: Data(bytes))) } catch {
                throw ImageError.invalidContent("secret \"\(secret.name)\"", reason: "\(error)")
            }
        }
        self.configs = configs
    }

    /// Every credential for `host` to try, pull secrets first, then `nodeFiles` (docker config.json
    /// files, first match), without repeats.
    public func credentials(for host: String, nodeFiles: [String]) -> [RegistryCredential] {
        var result: [RegistryCredential] = []
        for config in configs {
            if let credential = config.credential(for: host), !result.contains(credential) { result.append(credential) }
        }
        if let node = DockerConfigFile.credential(for: host, in: nodeFiles), !result.contains(node) { result.append(node) }
        return result
    }
}
