/// `v1.Pod`.
public struct Pod: Codable, Hashable, Sendable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `namespace/name`, the key pods are stored under.
    public var key: String { "\(metadata.namespace ?? "default")/\(metadata.name ?? "")" }
    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }
    public var uid: String { metadata.uid ?? "" }
}

public struct PodList: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "PodList"
    public var metadata: ListMeta
    public var items: [Pod]

    public init(items: [Pod], resourceVersion: String? = nil) {
        self.items = items
        self.metadata = ListMeta(resourceVersion: resourceVersion)
    }
}

public enum RestartPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"
}

public enum PullPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    case always = "Always"
    case ifNotPresent = "IfNotPresent"
    case never = "Never"
}

/// `v1.PodSpec`, the fields the pod runtime core honours.
public struct PodSpec: Codable, Hashable, Sendable {
    public var initContainers: [Container]?
    public var containers: [Container]
    public var restartPolicy: RestartPolicy?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var nodeName: String?
    public var hostname: String?
    public var subdomain: String?
    public var shareProcessNamespace: Bool?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var serviceAccountName: String?
    public var priority: Int32?
    public var priorityClassName: String?
    public var schedulerName: String?
    public var dnsPolicy: String?
    public var dnsConfig: PodDNSConfig?
    public var hostAliases: [HostAlias]?
    public var setHostnameAsFQDN: Bool?
    public var enableServiceLinks: Bool?
    public var tolerations: [Toleration]?
    /// Node labels the pod needs (`NodeSelection.swift`); the kubelet's admission rejects it otherwise.
    public var nodeSelector: [String: String]?
    public var affinity: Affinity?
    public var securityContext: PodSecurityContext?
    public var volumes: [Volume]?
    /// Secrets (dockerconfigjson / dockercfg) of the pod's namespace whose credentials pull its images.
    public var imagePullSecrets: [LocalObjectReference]?
    /// `spec.os`: required for `lifecycle.stopSignal`; the kubelet admits only its own OS.
    public var os: PodOS?

    public init(containers: [Container], initContainers: [Container]? = nil, restartPolicy: RestartPolicy? = nil) {
        self.containers = containers
        self.initContainers = initContainers
        self.restartPolicy = restartPolicy
    }

    enum CodingKeys: String, CodingKey {
        case initContainers, containers, restartPolicy, terminationGracePeriodSeconds, activeDeadlineSeconds
        case nodeName, hostname, subdomain, shareProcessNamespace, hostNetwork, hostPID, hostIPC
        case serviceAccountName, priority, priorityClassName, schedulerName, dnsPolicy, enableServiceLinks
        case tolerations, securityContext, dnsConfig, hostAliases, setHostnameAsFQDN, volumes
        case imagePullSecrets, os, nodeSelector, affinity
    }

    // `containers` is decoded leniently (missing → empty) so validation can report
    // `spec.containers: Required value` instead of a decoding error.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initContainers = try c.decodeIfPresent([Container].self, forKey: .initContainers)
        containers = try c.decodeIfPresent([Container].self, forKey: .containers) ?? []
        restartPolicy = try c.decodeIfPresent(RestartPolicy.self, forKey: .restartPolicy)
        terminationGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
        activeDeadlineSeconds = try c.decodeIfPresent(Int64.self, forKey: .activeDeadlineSeconds)
        nodeName = try c.decodeIfPresent(String.self, forKey: .nodeName)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        subdomain = try c.decodeIfPresent(String.self, forKey: .subdomain)
        shareProcessNamespace = try c.decodeIfPresent(Bool.self, forKey: .shareProcessNamespace)
        hostNetwork = try c.decodeIfPresent(Bool.self, forKey: .hostNetwork)
        hostPID = try c.decodeIfPresent(Bool.self, forKey: .hostPID)
        hostIPC = try c.decodeIfPresent(Bool.self, forKey: .hostIPC)
        serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        priority = try c.decodeIfPresent(Int32.self, forKey: .priority)
        priorityClassName = try c.decodeIfPresent(String.self, forKey: .priorityClassName)
        schedulerName = try c.decodeIfPresent(String.self, forKey: .schedulerName)
        dnsPolicy = try c.decodeIfPresent(String.self, forKey: .dnsPolicy)
        dnsConfig = try c.decodeIfPresent(PodDNSConfig.self, forKey: .dnsConfig)
        hostAliases = try c.decodeIfPresent([HostAlias].self, forKey: .hostAliases)
        setHostnameAsFQDN = try c.decodeIfPresent(Bool.self, forKey: .setHostnameAsFQDN)
        enableServiceLinks = try c.decodeIfPresent(Bool.self, forKey: .enableServiceLinks)
        tolerations = try c.decodeIfPresent([Toleration].self, forKey: .tolerations)
        nodeSelector = try c.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        affinity = try c.decodeIfPresent(Affinity.self, forKey: .affinity)
        securityContext = try c.decodeIfPresent(PodSecurityContext.self, forKey: .securityContext)
        volumes = try c.decodeIfPresent([Volume].self, forKey: .volumes)
        imagePullSecrets = try c.decodeIfPresent([LocalObjectReference].self, forKey: .imagePullSecrets)
        os = try c.decodeIfPresent(PodOS.self, forKey: .os)
    }
}

public struct Toleration: Codable, Hashable, Sendable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init(key: String? = nil, operator op: String? = nil, value: String? = nil, effect: String? = nil) {
        self.key = key
        self.operator = op
        self.value = value
        self.effect = effect
    }
}

/// `v1.Container`.
public struct Container: Codable, Hashable, Sendable {
    public var name: String
    public var image: String?
    public var imagePullPolicy: PullPolicy?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var env: [EnvVar]?
    public var envFrom: [EnvFromSource]?
    public var volumeMounts: [VolumeMount]?
    public var ports: [ContainerPort]?
    /// Only meaningful on init containers: `Always` makes it a sidecar (KEP-753).
    public var restartPolicy: String?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    public var stdin: Bool?
    /// Close the container's stdin once the first attach session that used it ends.
    public var stdinOnce: Bool?
    public var tty: Bool?
    public var resources: ResourceRequirements?
    public var securityContext: SecurityContext?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?

    public init(name: String, image: String?, command: [String]? = nil, args: [String]? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
    }

    enum CodingKeys: String, CodingKey {
        case name, image, imagePullPolicy, command, args, workingDir, env, ports, restartPolicy
        case terminationMessagePath, terminationMessagePolicy, stdin, tty, resources, securityContext
        case livenessProbe, readinessProbe, startupProbe, lifecycle
        case envFrom, volumeMounts, stdinOnce
    }

    // `name` is decoded leniently so a missing name is a validation error naming the field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        image = try c.decodeIfPresent(String.self, forKey: .image)
        imagePullPolicy = try c.decodeIfPresent(PullPolicy.self, forKey: .imagePullPolicy)
        command = try c.decodeIfPresent([String].self, forKey: .command)
        args = try c.decodeIfPresent([String].self, forKey: .args)
        workingDir = try c.decodeIfPresent(String.self, forKey: .workingDir)
        env = try c.decodeIfPresent([EnvVar].self, forKey: .env)
        ports = try c.decodeIfPresent([ContainerPort].self, forKey: .ports)
        restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        terminationMessagePath = try c.decodeIfPresent(String.self, forKey: .terminationMessagePath)
        terminationMessagePolicy = try c.decodeIfPresent(String.self, forKey: .terminationMessagePolicy)
        stdin = try c.decodeIfPresent(Bool.self, forKey: .stdin)
        tty = try c.decodeIfPresent(Bool.self, forKey: .tty)
        stdinOnce = try c.decodeIfPresent(Bool.self, forKey: .stdinOnce)
        resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
        securityContext = try c.decodeIfPresent(SecurityContext.self, forKey: .securityContext)
        livenessProbe = try c.decodeIfPresent(Probe.self, forKey: .livenessProbe)
        readinessProbe = try c.decodeIfPresent(Probe.self, forKey: .readinessProbe)
        startupProbe = try c.decodeIfPresent(Probe.self, forKey: .startupProbe)
        lifecycle = try c.decodeIfPresent(Lifecycle.self, forKey: .lifecycle)
        envFrom = try c.decodeIfPresent([EnvFromSource].self, forKey: .envFrom)
        volumeMounts = try c.decodeIfPresent([VolumeMount].self, forKey: .volumeMounts)
    }

    /// A sidecar: an init container with `restartPolicy: Always`.
    public var isRestartableInit: Bool { restartPolicy == "Always" }
}

public struct EnvVar: Codable, Hashable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String?, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct ContainerPort: Codable, Hashable, Sendable {
    public var name: String?
    public var containerPort: Int32
    public var hostPort: Int32?
    public var hostIP: String?
    public var `protocol`: String?

    public init(name: String? = nil, containerPort: Int32, protocol proto: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = proto
    }
}
