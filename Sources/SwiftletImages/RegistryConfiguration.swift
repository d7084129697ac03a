import Foundation

/// How the agent reaches registries: which speak plain HTTP, which mirrors to try first, where credentials are.
public struct RegistryConfiguration: Sendable, Hashable {
    /// Registry hosts ("host[:port]") reached over plain HTTP. localhost, 127.0.0.0/8 and [::1] always are.
    public var insecureRegistries: [String]
    /// Registry host → mirror endpoints ("https://mirror.example", "http://127.0.0.1:5001"), tried in order
    /// before the registry itself; a mirror that fails or lacks the image falls through to the next.
    public var mirrors: [String: [String]]
    /// docker-style config.json files searched for credentials, first match wins.
    public var credentialFiles: [String]

    public init(insecureRegistries: [String] = [], mirrors: [String: [String]] = [:], credentialFiles: [String] = []) {
        self.insecureRegistries = insecureRegistries
        self.mirrors = mirrors
        self.credentialFiles = credentialFiles
    }

    /// The kubelet's search path for config.json (`credentialprovider.ReadDockerConfigFile`), rooted at our
    /// state directory instead of /var/lib/kubelet: `<state>/config.json`, then `$HOME/.docker/config.json`.
    public static func defaultCredentialFiles(stateDir: String) -> [String] {
        var files = [stateDir + "/config.json"]
        if let docker = ProcessInfo.processInfo.environment["DOCKER_CONFIG"] { files.append(docker + "/config.json") }
        if let home = ProcessInfo.processInfo.environment["HOME"] { files.append(home + "/.docker/config.json") }
        return files
    }

    /// Parses "HOST=URL" mirror flags.
    public static func parseMirrors(_ flags: [String]) throws -> [String: [String]] {
        var mirrors: [String: [String]] = [:]
        for flag in flags {
            let parts = flag.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("http://") || parts[1].hasPrefix("https://") else {
                throw ImageError.invalidReference(flag, reason: "a mirror is HOST=http(s)://ENDPOINT")
            }
            mirrors[parts[0] == "index.docker.io" ? "docker.io" : parts[0], default: []].append(
                parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1])
        }
        return mirrors
    }

    /// Whether `host` ("host[:port]") is spoken to over plain HTTP.
    public func isInsecure(_ host: String) -> Bool {
        if insecureRegistries.contains(host) { return true }
        let name: Substring
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            name = host[host.index(after: host.startIndex)..<close]
        } else {
            name = host.split(separator: ":", maxSplits: 1).first ?? ""
        }
        // 127.0.0.0/8 as an IPv4 literal only: "127.evil.example" is a DNS name like any other.
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return name == "localhost" || name == "::1" || loopbackIPv4
    }

    /// Base URLs to try for a registry host, mirrors first. Docker Hub's API lives on registry-1.docker.io.
    public func endpoints(for host: String) -> [String] {
        let upstream: String
        if host == "docker.io" {
            upstream = "https://registry-1.docker.io"
        } else {
            upstream = (isInsecure(host) ? "http://" : "https://") + host
        }
        return (mirrors[host] ?? []) + [upstream]
    }
}

/// A username and password (or identity token) for one registry.
public struct RegistryCredential: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// A docker-style config.json (`{"auths": {"host": {"auth": base64(user:pass)}}}`), also the payload of
/// `kubernetes.io/dockerconfigjson` Secrets.
public struct DockerConfigFile: Sendable, Equatable {
    public var auths: [String: RegistryCredential]

    public init(auths: [String: RegistryCredential]) { self.auths = auths }

    public init(json data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ImageError.invalidContent("config.json", reason: "not a JSON object")
        }
        // `.dockercfg` has the auths at the top level; config.json under "auths".
        let entries = (object["auths"] as? [String: Any]) ?? object
        var auths: [String: RegistryCredential] = [:]
        for (key, value) in entries {
            guard let entry = value as? [String: Any] else { continue }
            if let user = entry["username"] as? String, let password = entry["password"] as? String, !user.isEmpty {
                auths[key] = RegistryCredential(username: user, password: password)
            } else if let auth = entry["auth"] as? String, let decoded = Data(base64Encoded: auth),
                      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                auths[key] = RegistryCredential(
                    username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            }
        }
        self.auths = auths
    }

    /// The credential for a registry host, matching keys the way the kubelet's keyring does: the key's host
    /// (scheme and path dropped), Docker Hub's legacy "https://index.docker.io/v1/" for docker.io.
    public func credential(for host: String) -> RegistryCredential? {
        for (key, credential) in auths.sorted(by: { $0.key < $1.key }) {
            var name = Substring(key)
            if let scheme = name.range(of: "://") { name = name[scheme.upperBound...] }
            name = name.split(separator: "/", maxSplits: 1).first ?? ""
            if name == "index.docker.io" || name == "registry-1.docker.io" { name = "docker.io" }
            if name == host { return credential }
        }
        return nil
    }

    /// The first credential for `host` in `files` (missing or unreadable files are skipped).
    public static func credential(for host: String, in files: [String]) -> RegistryCredential? {
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), let config = try? DockerConfigFile(json: data)
            else { continue }
            if let credential = config.credential(for: host) { return credential }
        }
        return nil
    }
}
