import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

/// Lifecycle hooks (the kubelet's `handlerRunner`): postStart right after a container started,
/// preStop before it is signalled, both inside the container like an exec or from its network
/// namespace for httpGet.
extension PodWorker {
    /// postStart has no deadline on the kubelet; here a hook that hangs is cut off after this long,
    /// so one broken hook cannot hold the pod's worker (and its deletion) forever.
    static let postStartLimit: TimeInterval = 120

    /// Runs the postStart hook of a container that just started; on failure records
    /// `FailedPostStartHook` and kills the container like the kubelet (it restarts per restartPolicy).
    func runPostStart(_ container: Container, pid: Int32) async {
        guard let hook = container.lifecycle?.postStart else { return }
        guard let failure = await runHook(hook, container: container, pid: pid, timeout: Self.postStartLimit) else { return }
        await events.record(pod, type: "Warning", reason: "FailedPostStartHook", message: failure, fieldPath: fieldPath(container.name))
        await stopContainer(container.name, grace: TimeInterval(pod.spec.terminationGracePeriodSeconds ?? 30), message: "FailedPostStartHook")
    }

    /// Runs the preStop hooks of `names` side by side, each cut off at `deadline`; returns whether any ran.
    func runPreStops(_ names: [String], deadline: Date) async -> Bool {
        let hooked = names.compactMap { name in container(named: name).flatMap { $0.lifecycle?.preStop != nil ? $0 : nil } }
        guard !hooked.isEmpty, deadline > Date() else { return false }
        let runtime = self.runtime, uid = self.uid
        let attempts = await offload { runtime.observeAttempts(uid: uid) }
        var failures: [(String, String)] = []
        await withTaskGroup(of: (String, String?).self) { group in
            for container in hooked {
                guard let hook = container.lifecycle?.preStop, let last = attempts[container.name]?.last, last.exit == nil,
                    let pid = last.pid
                else { continue }
                let timeout = deadline.timeIntervalSinceNow
                group.addTask { (container.name, await self.runHook(hook, container: container, pid: pid, timeout: timeout)) }
            }
            for await (name, failure) in group { if let failure { failures.append((name, failure)) } }
        }
        for (name, failure) in failures {
            await events.record(pod, type: "Warning", reason: "FailedPreStopHook", message: failure, fieldPath: fieldPath(name))
        }
        return true
    }

    /// nil when the handler succeeded, else the kubelet's message for the failed hook.
    func runHook(_ hook: LifecycleHandler, container: Container, pid: Int32, timeout: TimeInterval) async -> String? {
        let runtime = self.runtime, uid = self.uid
        let podName = "\(pod.name)_\(pod.namespace)(\(uid))"
        if let sleep = hook.sleep {
            let seconds = min(TimeInterval(sleep.seconds), max(timeout, 0))
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        if let exec = hook.exec {
            let command = exec.command ?? []
            let name = container.name
            let outcome = await offload { runtime.execProbe(uid: uid, container: name, pid: pid, command: command, timeout: timeout) }
            guard case .failure(let message) = outcome else { return nil }
            return "Exec lifecycle hook ([\(command.joined(separator: " "))]) for Container \"\(container.name)\" in Pod \"\(podName)\" failed - error: \(message)"
        }
        if let http = hook.httpGet {
            guard let port = Probe.resolve(http.port, in: container.ports ?? []) else {
                return "HTTP lifecycle hook (\(http.path ?? "/")) for Container \"\(container.name)\" in Pod \"\(podName)\" failed - error: port \(http.port) not found"
            }
            let host = http.host ?? podIPs?.first ?? "127.0.0.1"
            let headers = (http.httpHeaders ?? []).map { ($0.name, $0.value) }
            let path = http.path ?? "/"
            let outcome = await offload {
                PodRuntime.httpProbe(netnsOf: pid, host: host, port: port, path: path, headers: headers, timeout: max(timeout, 0.001))
            }
            guard case .failure(let message) = outcome else { return nil }
            return "HTTP lifecycle hook (\(path)) for Container \"\(container.name)\" in Pod \"\(podName)\" failed - error: \(message)"
        }
        // tcpSocket handlers are accepted by the API but never run, as on the kubelet.
        return nil
    }

    func fieldPath(_ name: String) -> String {
        ((pod.spec.initContainers ?? []).contains { $0.name == name } ? "spec.initContainers" : "spec.containers") + "{\(name)}"
    }
}
