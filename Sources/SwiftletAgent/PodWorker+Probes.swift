import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

/// Probe workers of one pod (the kubelet's prober manager): one task per probe of each running
/// container attempt, off the actor; results come back to the worker, which resyncs on a change.
struct ProbeBook {
    struct Results: Sendable {
        var attempt: Int
        var ready: Bool?
        var started: Bool?
        var failed: ProbeKind?
        var tasks: [Task<Void, Never>] = []
    }

    var containers: [String: Results] = [:]

    mutating func cancel(_ container: String) {
        containers.removeValue(forKey: container)?.tasks.forEach { $0.cancel() }
    }

    mutating func cancelAll() {
        for name in Array(containers.keys) { cancel(name) }
    }
}

/// Which probe of a container, in the kubelet's words.
enum ProbeType: String, Sendable {
    case liveness = "Liveness"
    case readiness = "Readiness"
    case startup = "Startup"
}

extension PodWorker {
    /// Starts probe workers for a container's new running attempt, stops them when it ends, and
    /// puts the results into the planner's view (`ready`, `started`, `failedProbe`).
    func updateProbes(_ container: Container, newest: ObservedAttempt?, sandboxAlive: Bool, into entry: inout ObservedContainer) {
        let specs: [(ProbeType, Probe)] = [
            container.startupProbe.map { (.startup, $0) }, container.livenessProbe.map { (.liveness, $0) },
            container.readinessProbe.map { (.readiness, $0) },
        ].compactMap { $0 }
        guard !specs.isEmpty else { return }
        guard let attempt = newest, attempt.exit == nil, let pid = attempt.pid, sandboxAlive, !gone else {
            probes.cancel(container.name)
            return
        }
        if probes.containers[container.name]?.attempt != attempt.attempt {
            probes.cancel(container.name)
            // A new container is not ready and not started until its probes say so (the kubelet's initial results).
            var results = ProbeBook.Results(
                attempt: attempt.attempt, ready: container.readinessProbe == nil ? nil : false,
                started: container.startupProbe == nil ? nil : false)
            for (type, probe) in specs {
                results.tasks.append(startProber(type, probe, container: container, attempt: attempt.attempt, pid: pid, startedAt: attempt.startedAt))
            }
            probes.containers[container.name] = results
        }
        guard let results = probes.containers[container.name] else { return }
        entry.ready = results.ready
        entry.started = results.started
        entry.failedProbe = results.failed
    }

    private func startProber(
        _ type: ProbeType, _ probe: Probe, container: Container, attempt: Int, pid: Int32, startedAt: Date?
    ) -> Task<Void, Never> {
        let runtime = self.runtime
        let uid = self.uid
        let host = probe.httpGet?.host ?? probe.tcpSocket?.host ?? podIPs?.first ?? "127.0.0.1"
        let name = container.name
        let ports = container.ports ?? []
        return Task.detached { [weak self] in
            let period = TimeInterval(max(probe.periodSeconds ?? 10, 1))
            let timeout = TimeInterval(max(probe.timeoutSeconds ?? 1, 1))
            let successThreshold = Int(max(probe.successThreshold ?? 1, 1))
            let failureThreshold = Int(max(probe.failureThreshold ?? 3, 1))
            // initialDelaySeconds counts from the container's start, like the kubelet's.
            let firstRun = (startedAt ?? Date()).addingTimeInterval(TimeInterval(probe.initialDelaySeconds ?? 0))
            if firstRun > Date() { try? await Task.sleep(nanoseconds: UInt64(firstRun.timeIntervalSinceNow * 1e9)) }
            var successes = 0
            var failures = 0
            var last: Bool?
            while !Task.isCancelled {
                guard let worker = self else { return }
                // Liveness and readiness wait for the startup probe.
                let mayRun = type == .startup ? true : await worker.started(name, attempt: attempt)
                if mayRun {
                    let outcome = await offload {
                        Self.runProbe(probe, runtime: runtime, uid: uid, container: name, pid: pid, host: host, ports: ports, timeout: timeout)
                    }
                    if Task.isCancelled { return }
                    worker.countProbe(type, outcome: outcome, container: name)
                    switch outcome {
                    case .success:
                        successes += 1
                        failures = 0
                    case .warning(let message):
                        successes += 1
                        failures = 0
                        await worker.recordProbeWarning(type, container: name, output: message)
                    case .failure(let message):
                        failures += 1
                        successes = 0
                        await worker.recordProbeFailure(type, container: name, output: message)
                    }
                    let result: Bool? = successes >= successThreshold ? true : failures >= failureThreshold ? false : nil
                    if let result, result != last {
                        last = result
                        await worker.probeResult(type, result, container: name, attempt: attempt)
                    }
                    // A started container is not probed for startup again; a failed liveness or startup
                    // probe ends this attempt (the container is killed; its next run gets new workers).
                    if type == .startup && result == true { return }
                    if type != .readiness && result == false { return }
                }
                try? await Task.sleep(nanoseconds: UInt64(period * 1e9))
            }
        }
    }

    func started(_ container: String, attempt: Int) -> Bool {
        guard let results = probes.containers[container], results.attempt == attempt else { return false }
        return results.started ?? true
    }

    func probeResult(_ type: ProbeType, _ success: Bool, container: String, attempt: Int) {
        guard var results = probes.containers[container], results.attempt == attempt else { return }
        switch type {
        case .readiness: results.ready = success
        case .startup: if success { results.started = true } else { results.failed = .startup }
        case .liveness: if !success { results.failed = .liveness }
        }
        probes.containers[container] = results
        requestSync()
    }

    /// `prober_probe_total` (the kubelet's result labels: successful, failed).
    nonisolated func countProbe(_ type: ProbeType, outcome: ProbeOutcome, container: String) {
        let result: String
        switch outcome {
        case .success, .warning: result = "successful"
        case .failure: result = "failed"
        }
        metrics?.probe(type: type.rawValue, result: result, container: container, pod: podName, namespace: podNamespace)
    }

    /// The kubelet's `Unhealthy` event, one per failed probe (repeats are counted by the recorder).
    func recordProbeFailure(_ type: ProbeType, container: String, output: String) async {
        let fieldPath = ((pod.spec.initContainers ?? []).contains { $0.name == container } ? "spec.initContainers" : "spec.containers")
            + "{\(container)}"
        await events.record(
            pod, type: "Warning", reason: "Unhealthy", message: "\(type.rawValue) probe failed: \(output)", fieldPath: fieldPath)
    }

    /// The kubelet's `ProbeWarning` event: the probe passed, with a warning (a redirect it did not follow).
    func recordProbeWarning(_ type: ProbeType, container: String, output: String) async {
        await events.record(
            pod, type: "Warning", reason: "ProbeWarning", message: "\(type.rawValue) probe warning: \(output)",
            fieldPath: fieldPath(container))
    }

    /// One probe attempt with the handler the probe names (validation guarantees exactly one).
    nonisolated static func runProbe(
        _ probe: Probe, runtime: PodRuntime, uid: String, container: String, pid: Int32, host: String,
        ports: [ContainerPort], timeout: TimeInterval
    ) -> ProbeOutcome {
        if let exec = probe.exec {
            return runtime.execProbe(uid: uid, container: container, pid: pid, command: exec.command ?? [], timeout: timeout)
        }
        if let tcp = probe.tcpSocket {
            guard let port = Probe.resolve(tcp.port, in: ports) else { return .failure("port \(tcp.port) not found") }
            return PodRuntime.tcpProbe(netnsOf: pid, host: host, port: port, timeout: timeout)
        }
        if let http = probe.httpGet {
            guard let port = Probe.resolve(http.port, in: ports) else { return .failure("port \(http.port) not found") }
            let headers = (http.httpHeaders ?? []).map { ($0.name, $0.value) }
            return PodRuntime.httpProbe(
                netnsOf: pid, host: host, port: port, path: http.path ?? "/", headers: headers, timeout: timeout)
        }
        return .failure("probe has no handler")
    }
}
