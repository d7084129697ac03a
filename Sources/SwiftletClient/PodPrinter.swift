import Foundation
import SwiftletKube

/// One row of `kubectl get pods`.
public struct PodRow: Equatable, Sendable {
    public var namespace: String
    public var name: String
    public var ready: String
    public var status: String
    public var restarts: String
    public var age: String
    public var ip: String
    public var node: String
}

/// `kubectl get pods` output, computed as kubectl's `printPod`
/// (`k8s.io/kubernetes/pkg/printers/internalversion/printers.go`) does.
public enum PodPrinter {
    public static func row(_ pod: Pod, now: Date) -> PodRow {
        let status = pod.status ?? PodStatus()
        let spec = pod.spec
        var restarts = 0
        var sidecarRestarts = 0
        var totalContainers = spec.containers.count
        var readyContainers = 0
        var lastRestart: Date?
        var lastSidecarRestart: Date?
        let phase = status.phase?.rawValue ?? ""
        var reason = status.reason.flatMap { $0.isEmpty ? nil : $0 } ?? phase

        let initSpecs = spec.initContainers ?? []
        let sidecars = Set(initSpecs.filter(\.isRestartableInit).map(\.name))
        totalContainers += sidecars.count

        func later(_ a: Date?, _ b: KubeTime?) -> Date? {
            guard let b = b?.date else { return a }
            guard let a else { return b }
            return max(a, b)
        }

        var initializing = false
        for (i, container) in (status.initContainerStatuses ?? []).enumerated() {
            restarts += Int(container.restartCount)
            lastRestart = later(lastRestart, container.lastState.terminated?.finishedAt)
            let isSidecar = sidecars.contains(container.name)
            if isSidecar {
                sidecarRestarts += Int(container.restartCount)
                lastSidecarRestart = later(lastSidecarRestart, container.lastState.terminated?.finishedAt)
            }
            if let t = container.state.terminated, t.exitCode == 0 { continue }
            if isSidecar, container.started == true {
                if container.ready { readyContainers += 1 }
                continue
            }
            if let t = container.state.terminated {
                if let r = t.reason, !r.isEmpty {
                    reason = "Init:" + r
                } else if let signal = t.signal, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(t.exitCode)"
                }
            } else if let r = container.state.waiting?.reason, !r.isEmpty, r != "PodInitializing" {
                reason = "Init:" + r
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }

        let initializedTrue = status.conditions?.contains { $0.type == .initialized && $0.status == .true } ?? false
        if !initializing || initializedTrue {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for container in (status.containerStatuses ?? []).reversed() {
                restarts += Int(container.restartCount)
                lastRestart = later(lastRestart, container.lastState.terminated?.finishedAt)
                if let r = container.state.waiting?.reason, !r.isEmpty {
                    reason = r
                } else if let t = container.state.terminated, let r = t.reason, !r.isEmpty {
                    reason = r
                } else if let t = container.state.terminated {
                    if let signal = t.signal, signal != 0 { reason = "Signal:\(signal)" } else { reason = "ExitCode:\(t.exitCode)" }
                } else if container.ready, container.state.running != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed", hasRunning {
                let ready = status.conditions?.contains { $0.type == .ready && $0.status == .true } ?? false
                reason = ready ? "Running" : "NotReady"
            }
        }

        if pod.metadata.deletionTimestamp != nil, status.reason == "NodeLost" {
            reason = "Unknown"
        } else if pod.metadata.deletionTimestamp != nil, !(status.phase?.isTerminal ?? false) {
            reason = "Terminating"
        }

        var restartsText = String(restarts)
        if restarts != 0, let lastRestart {
            restartsText = "\(restarts) (\(HumanDuration.format(now.timeIntervalSince(lastRestart))) ago)"
        }
        let ip = status.podIPs?.first?.ip ?? status.podIP
        return PodRow(
            namespace: pod.namespace, name: pod.name, ready: "\(readyContainers)/\(totalContainers)", status: reason,
            restarts: restartsText, age: HumanDuration.since(pod.metadata.creationTimestamp, now: now),
            ip: ip.flatMap { $0.isEmpty ? nil : $0 } ?? "<none>",
            node: pod.spec.nodeName.flatMap { $0.isEmpty ? nil : $0 } ?? "<none>")
    }

    /// The table; `withNamespace` (`-A`) adds NAMESPACE first, `wide` the columns of `-o wide`.
    public static func table(_ pods: [Pod], now: Date, wide: Bool = false, withNamespace: Bool = false, headers: Bool = true)
        -> String
    {
        var text = ""
        if headers {
            var header = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
            if wide { header += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] }
            if withNamespace { header.insert("NAMESPACE", at: 0) }
            text += header.joined(separator: "\t") + "\n"
        }
        for pod in pods {
            let r = row(pod, now: now)
            var cells = [r.name, r.ready, r.status, r.restarts, r.age]
            if wide { cells += [r.ip, r.node, "<none>", "<none>"] }
            if withNamespace { cells.insert(r.namespace, at: 0) }
            text += cells.joined(separator: "\t") + "\n"
        }
        return TabWriter.table.format(text)
    }
}
