import SwiftletKube

/// The ConfigMaps and Secrets of one namespace, as the resolver sees them.
public struct ConfigObjects: Sendable {
    public var configMaps: [String: ConfigMap]
    public var secrets: [String: Secret]

    public init(configMaps: [String: ConfigMap] = [:], secrets: [String: Secret] = [:]) {
        self.configMaps = configMaps
        self.secrets = secrets
    }
}

/// Why a container's configuration cannot be built: the kubelet's `CreateContainerConfigError`
/// with its exact message (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`).
public struct ContainerConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public static let reason = "CreateContainerConfigError"
}

/// The kubelet's `makeEnvironmentVariables` (`kubelet_pods.go`), pure.
public enum EnvResolver {
    public struct Result: Hashable, Sendable {
        /// In first-definition order; a later definition of a name replaces its value.
        public var variables: [EnvVar]
        /// `envFrom` keys skipped because they are not valid variable names, per source, for the
        /// kubelet's `InvalidEnvironmentVariableNames` warning.
        public var skipped: [String]

        /// The name → value map `$(VAR)` in command, args and subPathExpr refers to.
        public var map: [String: String] {
            var m: [String: String] = [:]
            for v in variables { m[v.name] = v.value ?? "" }
            return m
        }
    }

    /// - Parameters:
    ///   - status: the pod's status when the container starts (podIP, hostIP are read from it).
    ///   - allocatable: node allocatable cpu/memory, the default of unset limits (`defaultPodLimitsForDownwardAPI`).
    public static func resolve(
        pod: Pod, container: Container, status: PodStatus?, objects: ConfigObjects, allocatable: NodeAllocatable
    ) throws(ContainerConfigError) -> Result {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        var skipped: [String] = []
        let ns = pod.namespace
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            var payload: [(String, String)] = []
            var what = ""
            if case let (kind, ref)? = source.configRef {
                let name = ref.name ?? ""
                guard let values = objects.envValues(kind, name) else {
                    if ref.optional == true { continue }
                    throw ContainerConfigError(kind.notFound(name))
                }
                payload = values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                what = "\(kind.envFromLabel) \(ns)/\(name)"
            }
            var invalid: [String] = []
            for (key, value) in payload {
                let name = prefix + key
                if !NameValidation.isEnvVarName(name).isEmpty {
                    invalid.append(key)
                    continue
                }
                set(name, value)
            }
            if !invalid.isEmpty {
                skipped.append(
                    "Keys [\(invalid.joined(separator: ", "))] from the EnvFrom \(what) were skipped since they are considered invalid environment variable names.")
            }
        }
        for variable in container.env ?? [] {
            var value = variable.value ?? ""
            if !value.isEmpty {
                // Only what is defined so far (envFrom and earlier entries) can be referenced.
                value = EnvExpansion.expand(value, values)
            } else if let from = variable.valueFrom {
                if let fieldRef = from.fieldRef {
                    value = try DownwardAPI.fieldValue(fieldRef, pod: pod, status: status)
                } else if let resourceRef = from.resourceFieldRef {
                    value = try DownwardAPI.resourceValue(resourceRef, pod: pod, container: container, allocatable: allocatable)
                } else if case let (kind, ref)? = from.configKeyRef {
                    let name = ref.name ?? ""
                    guard let values = objects.envValues(kind, name) else {
                        if ref.optional == true { continue }
                        throw ContainerConfigError(kind.notFound(name))
                    }
                    guard let v = values[ref.key] else {
                        if ref.optional == true { continue }
                        throw ContainerConfigError(kind.missingEnvKey(ref.key, namespace: ns, name: name))
                    }
                    value = v
                }
            }
            set(variable.name, value)
        }
        return Result(variables: order.map { EnvVar(name: $0, value: values[$0]) }, skipped: skipped)
    }
}

/// Values of `fieldRef` and `resourceFieldRef` (`podFieldSelectorRuntimeValue`,
/// `ExtractContainerResourceValue`), for env vars and downwardAPI volume files.
public enum DownwardAPI {
    public static func fieldValue(_ ref: ObjectFieldSelector, pod: Pod, status: PodStatus?) throws(ContainerConfigError) -> String {
        if let (base, key) = ref.subscripted {
            switch base {
            case "metadata.labels": return pod.metadata.labels?[key] ?? ""
            case "metadata.annotations": return pod.metadata.annotations?[key] ?? ""
            default: throw ContainerConfigError("unsupported fieldPath: \(ref.fieldPath)")
            }
        }
        switch ref.fieldPath {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.namespace
        case "metadata.uid": return pod.uid
        case "metadata.labels": return formatMap(pod.metadata.labels ?? [:])
        case "metadata.annotations": return formatMap(pod.metadata.annotations ?? [:])
        case "spec.nodeName": return pod.spec.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? ""
        case "status.hostIP": return status?.hostIP ?? ""
        case "status.hostIPs": return (status?.hostIPs ?? []).map(\.ip).joined(separator: ",")
        case "status.podIP": return status?.podIP ?? ""
        case "status.podIPs": return (status?.podIPs ?? []).map(\.ip).joined(separator: ",")
        default: throw ContainerConfigError("unsupported fieldPath: \(ref.fieldPath)")
        }
    }

    /// `fieldpath.FormatMap`: `key="value"` lines, sorted, Go-quoted values.
    public static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(goQuotedString(map[$0] ?? ""))" }.joined(separator: "\n")
    }

    /// `containerName` picks the container (volumes); env uses its own container.
    public static func resourceValue(
        _ ref: ResourceFieldSelector, pod: Pod, container: Container?, allocatable: NodeAllocatable
    ) throws(ContainerConfigError) -> String {
        let all = (pod.spec.initContainers ?? []) + pod.spec.containers
        let target: Container
        if let name = ref.containerName, !name.isEmpty {
            guard let c = all.first(where: { $0.name == name }) else {
                throw ContainerConfigError("container \(name) not found in pod \(pod.namespace)/\(pod.name)")
            }
            target = c
        } else if let container {
            target = container
        } else {
            throw ContainerConfigError("resourceFieldRef \(ref.resource): containerName is required")
        }
        let limits = target.resources?.limits ?? [:]
        let requests = target.resources?.requests ?? [:]
        let divisor = ref.divisor.flatMap { $0.isZero ? nil : $0 }
        func ceilDiv(_ a: Int64, _ b: Int64) -> String {
            guard b > 0 else { return "0" }
            return String(a / b + (a % b > 0 ? 1 : 0))
        }
        switch ref.resource {
        case "limits.cpu":
            let milli = limits["cpu"].map(\.milliValue) ?? allocatable.cpuMilli
            return ceilDiv(milli, divisor?.milliValue ?? 1000)
        case "requests.cpu":
            return ceilDiv(requests["cpu"]?.milliValue ?? 0, divisor?.milliValue ?? 1000)
        case "limits.memory":
            return ceilDiv(limits["memory"]?.value ?? allocatable.memoryBytes, divisor?.value ?? 1)
        case "requests.memory":
            return ceilDiv(requests["memory"]?.value ?? 0, divisor?.value ?? 1)
        case "limits.ephemeral-storage":
            return ceilDiv(limits["ephemeral-storage"]?.value ?? 0, divisor?.value ?? 1)
        case "requests.ephemeral-storage":
            return ceilDiv(requests["ephemeral-storage"]?.value ?? 0, divisor?.value ?? 1)
        default:
            throw ContainerConfigError("unsupported container resource : \(ref.resource)")
        }
    }
}
