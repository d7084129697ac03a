import Foundation
import SwiftletKube
import SwiftletLifecycle

/// `kubectl describe pod`, laid out as kubectl's `describePod` (`k8s.io/kubectl/pkg/describe/describe.go`) writes it.
public struct PodDescriber: Sendable {
    public var now: Date
    public var timeZone: TimeZone

    public init(now: Date, timeZone: TimeZone = .current) {
        self.now = now
        self.timeZone = timeZone
    }

    public func describe(_ pod: Pod, events: [Event]) -> String {
        var w = DescribeText()
        let status = pod.status ?? PodStatus()
        w.line(0, "Name:\t\(pod.name)")
        w.line(0, "Namespace:\t\(pod.namespace)")
        if let priority = pod.spec.priority { w.line(0, "Priority:\t\(priority)") }
        if let name = pod.spec.priorityClassName, !name.isEmpty { w.line(0, "Priority Class Name:\t\(name)") }
        if let account = pod.spec.serviceAccountName, !account.isEmpty { w.line(0, "Service Account:\t\(account)") }
        if let node = pod.spec.nodeName, !node.isEmpty {
            w.line(0, "Node:\t\(node)/\(status.hostIP ?? "")")
        } else {
            w.line(0, "Node:\t<none>")
        }
        if let start = status.startTime { w.line(0, "Start Time:\t\(rfc1123z(start))") }
        multiline(&w, "Labels", (pod.metadata.labels ?? [:]).map { "\($0.key)=\($0.value)" })
        annotations(&w, pod.metadata.annotations ?? [:])
        if let deletion = pod.metadata.deletionTimestamp, !(status.phase?.isTerminal ?? false) {
            w.line(0, "Status:\tTerminating (lasts \(HumanDuration.format(now.timeIntervalSince(deletion.date))))")
            w.line(0, "Termination Grace Period:\t\(pod.metadata.deletionGracePeriodSeconds ?? 30)s")
        } else {
            w.line(0, "Status:\t\(status.phase?.rawValue ?? "")")
        }
        if let reason = status.reason, !reason.isEmpty { w.line(0, "Reason:\t\(reason)") }
        if let message = status.message, !message.isEmpty { w.line(0, "Message:\t\(message)") }
        if let seccomp = pod.spec.securityContext?.seccompProfile {
            w.line(0, "SeccompProfile:\t\(seccomp.type)")
            if seccomp.type == "Localhost" { w.line(0, "LocalhostProfile:\t\(seccomp.localhostProfile ?? "")") }
        }
        w.line(0, "IP:\t\(status.podIP ?? "")")
        let ips = status.podIPs ?? []
        if ips.isEmpty {
            w.line(0, "IPs:\t<none>")
        } else {
            w.line(0, "IPs:")
            for ip in ips { w.line(1, "IP:\t\(ip.ip)") }
        }
        if let owner = pod.metadata.ownerReferences?.first(where: { $0.controller == true }) {
            w.line(0, "Controlled By:\t\(owner.kind)/\(owner.name)")
        }
        if let initContainers = pod.spec.initContainers, !initContainers.isEmpty {
            containers(&w, pod, "Init Containers", initContainers, status.initContainerStatuses ?? [])
        }
        containers(&w, pod, "Containers", pod.spec.containers, status.containerStatuses ?? [])
        if let conditions = status.conditions, !conditions.isEmpty {
            w.line(0, "Conditions:")
            w.line(1, "Type\tStatus")
            for condition in conditions { w.line(1, "\(condition.type.rawValue) \t\(condition.status.rawValue) ") }
        }
        volumes(&w, pod.spec.volumes ?? [])
        w.line(0, "QoS Class:\t\(status.qosClass ?? podQOSClass(pod).rawValue)")
        multiline(&w, "Node-Selectors", (pod.spec.nodeSelector ?? [:]).map { "\($0.key)=\($0.value)" })
        multiline(&w, "Tolerations", (pod.spec.tolerations ?? []).map(toleration), sorted: false)
        describeEvents(&w, events)
        return TabWriter.describe.format(w.text)
    }

    /// `describeContainers`: basic info, command, state, resources, probes, environment, mounts.
    private func containers(_ w: inout DescribeText, _ pod: Pod, _ title: String, _ specs: [Container], _ statuses: [ContainerStatus]) {
        w.line(0, "\(title):\(specs.isEmpty ? " <none>" : "")")
        for container in specs {
            let status = statuses.first { $0.name == container.name }
            w.line(1, "\(container.name):")
            if let status { w.line(2, "Container ID:\t\(status.containerID ?? "")") }
            w.line(2, "Image:\t\(container.image ?? "")")
            if let status { w.line(2, "Image ID:\t\(status.imageID)") }
            let ports = portList(container.ports ?? [], \.containerPort)
            let hostPorts = portList(container.ports ?? []) { $0.hostPort ?? 0 }
            w.line(2, ports.contains(",") ? "Ports:\t\(ports)" : "Port:\t\(ports.isEmpty ? "<none>" : ports)")
            w.line(2, hostPorts.contains(",") ? "Host Ports:\t\(hostPorts)" : "Host Port:\t\(hostPorts.isEmpty ? "<none>" : hostPorts)")
            if let seccomp = container.securityContext?.seccompProfile {
                w.line(2, "SeccompProfile:\t\(seccomp.type)")
                if seccomp.type == "Localhost" { w.line(3, "LocalhostProfile:\t\(seccomp.localhostProfile ?? "")") }
            }
            for (label, words) in [("Command", container.command ?? []), ("Args", container.args ?? [])] where !words.isEmpty {
                w.line(2, "\(label):")
                for word in words {
                    for part in word.split(separator: "\n", omittingEmptySubsequences: false) { w.line(3, String(part)) }
                }
            }
            if let status {
                state(&w, "State", status.state)
                if status.lastState.terminated != nil { state(&w, "Last State", status.lastState) }
                w.line(2, "Ready:\t\(status.ready ? "True" : "False")")
                w.line(2, "Restart Count:\t\(status.restartCount)")
            }
            for (label, quantities) in [("Limits", container.resources?.limits ?? [:]), ("Requests", container.resources?.requests ?? [:])]
            where !quantities.isEmpty {
                w.line(2, "\(label):")
                for name in Self.sortedResourceNames(quantities.keys) { w.line(3, "\(name):\t\(quantities[name]?.canonicalString ?? "")") }
            }
            for (label, probe) in [("Liveness", container.livenessProbe), ("Readiness", container.readinessProbe), ("Startup", container.startupProbe)] {
                if let probe { w.line(2, "\(label):\t\(Self.describeProbe(probe))") }
            }
            environment(&w, pod, container)
            let mounts = (container.volumeMounts ?? []).sorted { $0.mountPath < $1.mountPath }
            w.line(2, "Mounts:\(mounts.isEmpty ? "\t<none>" : "")")
            for mount in mounts {
                var flags = [mount.readOnly == true ? "ro" : "rw"]
                if let sub = mount.subPath, !sub.isEmpty { flags.append("path=\(goQuoted(sub))") }
                w.line(3, "\(mount.mountPath) from \(mount.name) (\(flags.joined(separator: ",")))")
            }
        }
    }

    /// `describeContainerPorts`: `8080/TCP (http), 9090/TCP`.
    private func portList(_ ports: [ContainerPort], _ number: (ContainerPort) -> Int32) -> String {
        ports.map { port in
            var s = "\(number(port))/\(port.protocol ?? "TCP")"
            if let name = port.name, !name.isEmpty { s += " (\(name))" }
            return s
        }.joined(separator: ", ")
    }

    /// `describeContainerEnvFrom` and `describeContainerEnvVars`, with kubectl's rendering of
    /// references: `NAME:  value (v1:metadata.name)`, `<set to the key 'k' of config map 'c'>`.
    private func environment(_ w: inout DescribeText, _ pod: Pod, _ container: Container) {
        if let sources = container.envFrom, !sources.isEmpty {
            w.line(2, "Environment Variables from:")
            for source in sources {
                let (kind, ref) = source.configMapRef.map { ("ConfigMap", $0) } ?? ("Secret", source.secretRef ?? LocalObjectReference(name: ""))
                let from = (source.prefix ?? "").isEmpty ? kind : "\(kind) with prefix '\(source.prefix ?? "")'"
                w.line(3, "\(ref.name ?? "")\t\(from)\tOptional: \(ref.optional == true)")
            }
        }
        let env = container.env ?? []
        w.line(2, "Environment:\(env.isEmpty ? "\t<none>" : "")")
        for variable in env {
            guard let from = variable.valueFrom else {
                for (i, line) in (variable.value ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    w.line(3, i == 0 ? "\(variable.name):\t\(line)" : "\t\(line)")
                }
                continue
            }
            if let field = from.fieldRef {
                let value = (try? DownwardAPI.fieldValue(field, pod: pod, status: pod.status)) ?? ""
                w.line(3, "\(variable.name):\t\(value) (\(field.apiVersion ?? "v1"):\(field.fieldPath))")
            } else if let resource = from.resourceFieldRef {
                // kubectl knows no node: an unset limit resolves to 0, shown as "node allocatable".
                var value = (try? DownwardAPI.resourceValue(
                    resource, pod: pod, container: container, allocatable: NodeAllocatable(cpuMilli: 0, memoryBytes: 0))) ?? ""
                if value == "0" && ["limits.cpu", "limits.memory"].contains(resource.resource) { value = "node allocatable" }
                w.line(3, "\(variable.name):\t\(value) (\(resource.resource))")
            } else if let secret = from.secretKeyRef {
                w.line(3, "\(variable.name):\t<set to the key '\(secret.key)' in secret '\(secret.name ?? "")'>\tOptional: \(secret.optional == true)")
            } else if let map = from.configMapKeyRef {
                w.line(3, "\(variable.name):\t<set to the key '\(map.key)' of config map '\(map.name ?? "")'>\tOptional: \(map.optional == true)")
            }
        }
    }

    /// `describeVolumes`, for the volume types swiftlet runs.
    private func volumes(_ w: inout DescribeText, _ volumes: [Volume]) {
        guard !volumes.isEmpty else {
            w.line(0, "Volumes:\t<none>")
            return
        }
        w.line(0, "Volumes:")
        for volume in volumes {
            w.line(1, "\(volume.name):")
            if let hostPath = volume.hostPath {
                w.line(2, "Type:\tHostPath (bare host directory volume)")
                w.line(2, "Path:\t\(hostPath.path)")
                w.line(2, "HostPathType:\t\(hostPath.type ?? "<none>")")
            } else if let emptyDir = volume.emptyDir {
                let limit = emptyDir.sizeLimit.flatMap { $0.isZero ? nil : $0.canonicalString } ?? "<unset>"
                w.line(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)")
                w.line(2, "Medium:\t\(emptyDir.medium ?? "")")
                w.line(2, "SizeLimit:\t\(limit)")
            } else if let secret = volume.secret {
                w.line(2, "Type:\tSecret (a volume populated by a Secret)")
                w.line(2, "SecretName:\t\(secret.secretName ?? "")")
                w.line(2, "Optional:\t\(secret.optional == true)")
            } else if let configMap = volume.configMap {
                w.line(2, "Type:\tConfigMap (a volume populated by a ConfigMap)")
                w.line(2, "Name:\t\(configMap.name ?? "")")
                w.line(2, "Optional:\t\(configMap.optional == true)")
            } else if let downward = volume.downwardAPI {
                w.line(2, "Type:\tDownwardAPI (a volume populated by information about the pod)")
                w.line(2, "Items:")
                for item in downward.items ?? [] {
                    if let field = item.fieldRef { w.line(3, "\(field.fieldPath) -> \(item.path)") }
                    if let resource = item.resourceFieldRef { w.line(3, "\(resource.resource) -> \(item.path)") }
                }
            } else if let projected = volume.projected {
                w.line(2, "Type:\tProjected (a volume that contains injected data from multiple sources)")
                for source in projected.sources ?? [] {
                    if let secret = source.secret {
                        w.line(2, "SecretName:\t\(secret.name ?? "")")
                        w.line(2, "Optional:\t\(secret.optional == true)")
                    } else if source.downwardAPI != nil {
                        w.line(2, "DownwardAPI:\ttrue")
                    } else if let configMap = source.configMap {
                        w.line(2, "ConfigMapName:\t\(configMap.name ?? "")")
                        w.line(2, "Optional:\t\(configMap.optional == true)")
                    } else if let token = source.serviceAccountToken {
                        let seconds: String
                        // The API server defaults expirationSeconds to an hour.
                        if case .object(let fields) = token, case .int(let n)? = fields["expirationSeconds"] {
                            seconds = String(n)
                        } else {
                            seconds = "3600"
                        }
                        w.line(2, "TokenExpirationSeconds:\t\(seconds)")
                    }
                }
            } else {
                w.line(1, "<unknown>")
            }
        }
    }

    /// kubectl's `DescribeProbe` (up to kubectl 1.36; 1.37 spells the thresholds
    /// `successThreshold=1 failureThreshold=3`), with the API server's defaults for unset fields.
    public static func describeProbe(_ probe: Probe) -> String {
        let attrs = "delay=\(probe.initialDelaySeconds ?? 0)s timeout=\(probe.timeoutSeconds ?? 1)s"
            + " period=\(probe.periodSeconds ?? 10)s #success=\(probe.successThreshold ?? 1) #failure=\(probe.failureThreshold ?? 3)"
        if let exec = probe.exec {
            return "exec [\((exec.command ?? []).joined(separator: " "))] \(attrs)"
        }
        if let http = probe.httpGet {
            let host = http.host ?? ""
            let port = Self.text(http.port)
            let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            var path = http.path ?? ""
            if !path.isEmpty && !path.hasPrefix("/") { path = "/" + path }
            return "http-get \((http.scheme ?? "HTTP").lowercased())://\(authority)\(path) \(attrs)"
        }
        if let tcp = probe.tcpSocket {
            return "tcp-socket \(tcp.host ?? ""):\(Self.text(tcp.port)) \(attrs)"
        }
        if let grpc = probe.grpc {
            return "grpc <pod>:\(grpc.port) \(grpc.service ?? "") \(attrs)"
        }
        return "unknown \(attrs)"
    }

    private static func text(_ port: IntOrString) -> String {
        switch port {
        case .int(let n): return String(n)
        case .string(let name): return name
        }
    }

    /// `SortedResourceNames`: cpu, memory, ephemeral-storage first (in that order), then the rest by name.
    static func sortedResourceNames(_ names: some Collection<String>) -> [String] {
        let standard = ["cpu", "memory", "ephemeral-storage"]
        return names.sorted { a, b in
            let (ia, ib) = (standard.firstIndex(of: a) ?? standard.count, standard.firstIndex(of: b) ?? standard.count)
            return ia != ib ? ia < ib : a < b
        }
    }

    /// Go's `%q` for the plain strings a subPath holds.
    private func goQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func state(_ w: inout DescribeText, _ name: String, _ state: ContainerState) {
        if let running = state.running {
            w.line(2, "\(name):\tRunning")
            w.line(3, "Started:\t\(running.startedAt.map(rfc1123z) ?? "")")
        } else if let waiting = state.waiting {
            w.line(2, "\(name):\tWaiting")
            if let reason = waiting.reason, !reason.isEmpty { w.line(3, "Reason:\t\(reason)") }
        } else if let t = state.terminated {
            w.line(2, "\(name):\tTerminated")
            if let reason = t.reason, !reason.isEmpty { w.line(3, "Reason:\t\(reason)") }
            if let message = t.message, !message.isEmpty { w.line(3, "Message:\t\(message)") }
            w.line(3, "Exit Code:\t\(t.exitCode)")
            if let signal = t.signal, signal > 0 { w.line(3, "Signal:\t\(signal)") }
            w.line(3, "Started:\t\(t.startedAt.map(rfc1123z) ?? "")")
            w.line(3, "Finished:\t\(t.finishedAt.map(rfc1123z) ?? "")")
        } else {
            w.line(2, "\(name):\tWaiting")
        }
    }

    private func describeEvents(_ w: inout DescribeText, _ events: [Event]) {
        guard !events.isEmpty else {
            w.line(0, "Events:\t<none>")
            return
        }
        w.line(0, "Events:")
        w.line(1, "Type\tReason\tAge\tFrom\tMessage")
        w.line(1, "----\t------\t----\t----\t-------")
        // kubectl sorts by lastTimestamp and (since 1.35) prefixes the container's fieldPath.
        for e in events.sorted(by: { $0.lastTimestamp < $1.lastTimestamp }) {
            let age = e.count > 1
                ? "\(HumanDuration.since(e.lastTimestamp, now: now)) (x\(e.count) over \(HumanDuration.since(e.firstTimestamp, now: now)))"
                : HumanDuration.since(e.firstTimestamp, now: now)
            var message = e.message.trimmingCharacters(in: .whitespacesAndNewlines)
            if let field = e.involvedObject.fieldPath, !field.isEmpty { message = "\(field): \(message)" }
            w.line(1, "\(e.type)\t\(e.reason)\t\(age)\t\(e.source.component ?? "")\t\(message)")
        }
    }

    /// `printAnnotationsMultiline`: sorted, without kubectl's last-applied-configuration; a value
    /// that is long (key + value over 140) or multi-line goes below its key, each line cut at 138.
    private func annotations(_ w: inout DescribeText, _ annotations: [String: String]) {
        let keys = annotations.keys.filter { $0 != "kubectl.kubernetes.io/last-applied-configuration" }.sorted()
        guard !keys.isEmpty else {
            w.line(0, "Annotations:\t<none>")
            return
        }
        for (i, key) in keys.enumerated() {
            let lead = i == 0 ? "Annotations:\t" : "\t"
            var value = annotations[key] ?? ""
            if value.hasSuffix("\n") { value.removeLast() }
            if value.utf8.count + key.utf8.count + 2 > 140 || value.contains("\n") {
                w.line(0, "\(lead)\(key):")
                for line in value.split(separator: "\n", omittingEmptySubsequences: false) {
                    let cut = line.utf8.count > 138 ? String(decoding: Array(line.utf8.prefix(138)), as: UTF8.self) + "..." : String(line)
                    w.line(0, "\t  \(cut)")
                }
            } else {
                w.line(0, "\(lead)\(key): \(value)")
            }
        }
    }

    /// `printLabelsMultiline`: first item after the title, the rest in the value column, sorted.
    private func multiline(_ w: inout DescribeText, _ title: String, _ items: [String], sorted: Bool = true) {
        let items = sorted ? items.sorted() : items
        guard let first = items.first else {
            w.line(0, "\(title):\t<none>")
            return
        }
        w.line(0, "\(title):\t\(first)")
        for item in items.dropFirst() { w.line(0, "\t\(item)") }
    }

    /// `printPodTolerationsMultiline`: `key=value:effect op=Exists for 300s`.
    private func toleration(_ t: Toleration) -> String {
        var s = t.key ?? ""
        if let value = t.value, !value.isEmpty { s += "=" + value }
        if let effect = t.effect, !effect.isEmpty { s += ":" + effect }
        if t.operator == "Exists", (t.value ?? "").isEmpty {
            s += (t.key ?? "").isEmpty && (t.effect ?? "").isEmpty ? "op=Exists" : " op=Exists"
        }
        if let seconds = t.tolerationSeconds { s += " for \(seconds)s" }
        return s
    }

    /// Go's `time.RFC1123Z`: `Mon, 02 Jan 2006 15:04:05 -0700`.
    private func rfc1123z(_ time: KubeTime) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: time.date)
    }
}

/// Lines indented two spaces per level, as kubectl's `PrefixWriter` writes them.
struct DescribeText {
    var text = ""
    mutating func line(_ level: Int, _ s: String) {
        text += String(repeating: "  ", count: level) + s + "\n"
    }
}
