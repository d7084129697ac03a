/// API-server defaulting (`k8s.io/kubernetes/pkg/apis/core/v1/defaults.go`) for the fields we model.
///
/// Applied to every pod before validation and before a static pod's UID is hashed, so that
/// a manifest that spells out a default and one that omits it are the same pod.
extension Pod {
    public static let defaultNamespace = "default"
    public static let defaultTerminationGracePeriodSeconds: Int64 = 30
    public static let defaultSchedulerName = "default-scheduler"
    public static let defaultDNSPolicy = "ClusterFirst"

    public func withDefaults() -> Pod {
        var copy = self
        copy.applyDefaults()
        return copy
    }

    public mutating func applyDefaults() {
        if metadata.namespace?.isEmpty ?? true { metadata.namespace = Pod.defaultNamespace }
        spec.applyDefaults()
    }
}

extension PodSpec {
    public mutating func applyDefaults() {
        if restartPolicy == nil { restartPolicy = .always }
        if terminationGracePeriodSeconds == nil {
            terminationGracePeriodSeconds = Pod.defaultTerminationGracePeriodSeconds
        }
        if dnsPolicy?.isEmpty ?? true { dnsPolicy = Pod.defaultDNSPolicy }
        if schedulerName?.isEmpty ?? true { schedulerName = Pod.defaultSchedulerName }
        if enableServiceLinks == nil { enableServiceLinks = true }
        applyStorageDefaults()
        let hostNetwork = self.hostNetwork ?? false
        for i in containers.indices { containers[i].applyDefaults(hostNetwork: hostNetwork) }
        if var inits = initContainers {
            for i in inits.indices { inits[i].applyDefaults(hostNetwork: hostNetwork) }
            initContainers = inits
        }
    }
}

extension Container {
    public static let defaultTerminationMessagePath = "/dev/termination-log"
    public static let defaultTerminationMessagePolicy = "File"

    /// `hostNetwork` pods publish each port on the host, so an unset hostPort becomes the
    /// containerPort (`SetDefaults_Pod`).
    public mutating func applyDefaults(hostNetwork: Bool = false) {
        if imagePullPolicy == nil { imagePullPolicy = Container.defaultPullPolicy(image: image ?? "") }
        if terminationMessagePath?.isEmpty ?? true {
            terminationMessagePath = Container.defaultTerminationMessagePath
        }
        if terminationMessagePolicy?.isEmpty ?? true {
            terminationMessagePolicy = Container.defaultTerminationMessagePolicy
        }
        if var ports {
            for i in ports.indices {
                if ports[i].protocol?.isEmpty ?? true { ports[i].protocol = "TCP" }
                if hostNetwork && (ports[i].hostPort ?? 0) == 0 { ports[i].hostPort = ports[i].containerPort }
            }
            self.ports = ports
        }
        resources?.applyDefaults()
        livenessProbe?.applyDefaults()
        readinessProbe?.applyDefaults()
        startupProbe?.applyDefaults()
        lifecycle?.applyDefaults()
    }

    /// `:latest` or no tag (and no digest) pulls every time; any other tag or a digest only when absent.
    public static func defaultPullPolicy(image: String) -> PullPolicy {
        imageTag(image) == "latest" ? .always : .ifNotPresent
    }

    /// The tag of an image reference; `latest` when neither tag nor digest is given,
    /// nil when only a digest pins it or the reference is empty.
    static func imageTag(_ image: String) -> String? {
        guard !image.isEmpty else { return nil }
        var name = Substring(image)
        var hasDigest = false
        if let at = name.firstIndex(of: "@") {
            name = name[..<at]
            hasDigest = true
        }
        // A colon before the last slash belongs to a registry host:port, not to a tag.
        let lastComponent = name.lastIndex(of: "/").map { name[name.index(after: $0)...] } ?? name
        if let colon = lastComponent.lastIndex(of: ":") {
            return String(lastComponent[lastComponent.index(after: colon)...])
        }
        return hasDigest ? nil : "latest"
    }
}

extension ResourceRequirements {
    /// Requests default to limits for every resource with a limit and no request (`SetDefaults_Pod`).
    /// Unlike Go, an empty limits map leaves requests alone: an empty map is omitted on the wire anyway.
    public mutating func applyDefaults() {
        guard let limits, !limits.isEmpty else { return }
        var requests = self.requests ?? [:]
        for (name, limit) in limits where requests[name] == nil {
            requests[name] = limit
        }
        self.requests = requests
    }
}
