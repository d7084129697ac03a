import Foundation
import SwiftletKube

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
        w.line(0, "Service Account:\t\(pod.spec.serviceAccountName ?? "")")
        if let node = pod.spec.nodeName, !node.isEmpty {
            w.line(0, "Node:\t\(node)/\(status.hostIP ?? "")")
        } else {
            w.line(0, "Node:\t<none>")
        }
        if let start = status.startTime { w.line(0, "Start Time:\t\(rfc1123z(start))") }
        multiline(&w, "Labels", (pod.metadata.labels ?? [:]).map { "\($0.key)=\($0.value)" })
        multiline(&w, "Annotations", (pod.metadata.annotations ?? [:]).map { "\($0.key): \($0.value)" })
        if let deletion = pod.metadata.deletionTimestamp, !(status.phase?.isTerminal ?? false) {
            w.line(0, "Status:\tTerminating (lasts \(HumanDuration.format(now.timeIntervalSince(deletion.date))))")
            w.line(0, "Termination Grace Period:\t\(pod.metadata.deletionGracePeriodSeconds ?? 30)s")
        } else {
            w.line(0, "Status:\t\(status.phase?.rawValue ?? "")")
        }
        if let reason = status.reason, !reason.isEmpty { w.line(0, "Reason:\t\(reason)") }
        if let message = status.message, !message.isEmpty { w.line(0, "Message:\t\(message)") }
        w.line(0, "IP:\t\(status.podIP ?? "")")
        let ips = status.podIPs ?? []
        if ips.isEmpty {
            w.line(0, "IPs:\t<none>")
        } else {
            w.line(0, "IPs:")
            for ip in ips { w.line(1, "IP:\t\(ip.ip)") }
        }
        if let initContainers = pod.spec.initContainers, !initContainers.isEmpty {
            containers(&w, "Init Containers", initContainers, status.initContainerStatuses ?? [])
        }
        containers(&w, "Containers", pod.spec.containers, status.containerStatuses ?? [])
        if let conditions = status.conditions, !conditions.isEmpty {
            w.line(0, "Conditions:")
            w.line(1, "Type\tStatus")
            for condition in conditions { w.line(1, "\(condition.type.rawValue) \t\(condition.status.rawValue) ") }
        }
        w.line(0, "Volumes:\t<none>")
        w.line(0, "QoS Class:\t\(status.qosClass ?? "BestEffort")")
        w.line(0, "Node-Selectors:\t<none>")
        multiline(&w, "Tolerations", (pod.spec.tolerations ?? []).map(toleration), sorted: false)
        describeEvents(&w, events)
        return TabWriter.describe.format(w.text)
    }

    private func containers(_ w: inout DescribeText, _ title: String, _ specs: [Container], _ statuses: [ContainerStatus]) {
        w.line(0, "\(title):")
        for container in specs {
            let status = statuses.first { $0.name == container.name }
            w.line(1, "\(container.name):")
            if let status { w.line(2, "Container ID:\t\(status.containerID ?? "")") }
            w.line(2, "Image:\t\(container.image ?? "")")
            if let status { w.line(2, "Image ID:\t\(status.imageID)") }
            let ports = (container.ports ?? []).map { "\($0.containerPort)/\($0.protocol ?? "TCP")" }
            let hostPorts = (container.ports ?? []).map { "\($0.hostPort ?? 0)/\($0.protocol ?? "TCP")" }
            if ports.count > 1 {
                w.line(2, "Ports:\t\(ports.joined(separator: ", "))")
                w.line(2, "Host Ports:\t\(hostPorts.joined(separator: ", "))")
            } else {
                w.line(2, "Port:\t\(ports.first ?? "<none>")")
                w.line(2, "Host Port:\t\(hostPorts.first ?? "<none>")")
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
            let env = container.env ?? []
            if env.isEmpty {
                w.line(2, "Environment:\t<none>")
            } else {
                w.line(2, "Environment:")
                for variable in env { w.line(3, "\(variable.name):\t\(variable.value ?? "")") }
            }
            w.line(2, "Mounts:\t<none>")
        }
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
        for e in events.sorted(by: { $0.firstTimestamp < $1.firstTimestamp }) {
            let age = e.count > 1
                ? "\(HumanDuration.since(e.lastTimestamp, now: now)) (x\(e.count) over \(HumanDuration.since(e.firstTimestamp, now: now)))"
                : HumanDuration.since(e.firstTimestamp, now: now)
            let message = e.message.trimmingCharacters(in: .whitespacesAndNewlines)
            w.line(1, "\(e.type)\t\(e.reason)\t\(age)\t\(e.source.component ?? "")\t\(message)")
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
