import Foundation
import Prometheus
import SwiftletKube
import Synchronization

/// The agent's Prometheus metrics (`GET /metrics`), named after the kubelet's where it has one.
///
/// Counters and histograms live in a `PrometheusCollectorRegistry` and move as things happen;
/// gauges that describe the pods right now (counts by phase, container states, restart counts)
/// are rendered from the published pods at scrape time, so they can never drift from `get pods`.
public final class AgentMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let podStart: DurationHistogram
    private let podWorkerSync: DurationHistogram
    private let housekeeping: DurationHistogram
    private let startedPods: Counter
    private let startedContainers: Counter
    private let startedInitContainers: Counter
    private let state = Mutex<State>(State())

    private struct State {
        /// When the agent first saw each pod (for the start latency), until it first runs.
        var firstSeen: [String: ContinuousClock.Instant] = [:]
        /// The `startedAt` of each running container last seen, to count starts once.
        var startedAt: [String: String] = [:]
        var requestHistograms: [String: DurationHistogram] = [:]
        var requestCounters: [String: Counter] = [:]
        var labelledCounters: [String: Counter] = [:]
        var labelledHistograms: [String: DurationHistogram] = [:]
    }

    /// Seconds, from a few milliseconds (a local pod start) to the kubelet's largest bucket.
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]

    public init(version: String) {
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            // The registry joins name parts with "_"; the whole name is given as one part here.
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        podStart = registry.makeDurationHistogram(
            descriptor: descriptor(
                "kubelet_pod_start_duration_seconds",
                "Duration in seconds from the agent seeing a pod for the first time to the pod running"),
            labels: [], buckets: Self.latencyBuckets)
        podWorkerSync = registry.makeDurationHistogram(
            descriptor: descriptor("kubelet_pod_worker_duration_seconds", "Duration in seconds to sync a single pod"),
            labels: [("operation_type", "sync")], buckets: Self.latencyBuckets)
        housekeeping = registry.makeDurationHistogram(
            descriptor: descriptor(
                "kubelet_housekeeping_duration_seconds",
                "Duration in seconds of one housekeeping pass (re-sync of every pod and manifest rescan)"),
            labels: [], buckets: Self.latencyBuckets)
        startedPods = registry.makeCounter(
            descriptor: descriptor("kubelet_started_pods_total", "Cumulative number of pods started"), labels: [])
        startedContainers = registry.makeCounter(
            descriptor: descriptor("kubelet_started_containers_total", "Cumulative number of containers started"),
            labels: [("container_type", "container")])
        startedInitContainers = registry.makeCounter(
            descriptor: descriptor("kubelet_started_containers_total", "Cumulative number of containers started"),
            labels: [("container_type", "init_container")])
        registry.makeGauge(descriptor: descriptor("swiftlet_build_info", "The running agent's version"), labels: [("version", version)])
            .set(to: 1.0)
    }

    // MARK: Recording

    func podSeen(uid: String) {
        state.withLock { s in
            if s.firstSeen[uid] == nil { s.firstSeen[uid] = .now }
        }
    }

    func podForgotten(uid: String) {
        state.withLock { s in
            s.firstSeen[uid] = nil
            s.startedAt = s.startedAt.filter { !$0.key.hasPrefix(uid + "/") }
        }
    }

    /// Called with every published status: counts pod and container starts, records start latency.
    func published(_ pod: Pod) {
        guard let status = pod.status else { return }
        let now = ContinuousClock.now
        var newContainers = 0, newInitContainers = 0
        var started: Duration?
        state.withLock { s in
            if status.phase == .running, let seen = s.firstSeen.removeValue(forKey: pod.uid) {
                started = now - seen
            }
            for (statuses, isInit) in [(status.initContainerStatuses ?? [], true), (status.containerStatuses ?? [], false)] {
                for container in statuses {
                    guard let at = container.state.running?.startedAt?.description else { continue }
                    let key = "\(pod.uid)/\(container.name)"
                    if s.startedAt[key] != at {
                        s.startedAt[key] = at
                        if isInit { newInitContainers += 1 } else { newContainers += 1 }
                    }
                }
            }
        }
        if let started {
            podStart.record(started)
            startedPods.increment()
        }
        if newContainers > 0 { startedContainers.increment(by: Int64(newContainers)) }
        if newInitContainers > 0 { startedInitContainers.increment(by: Int64(newInitContainers)) }
    }

    func podSynced(_ duration: Duration) { podWorkerSync.record(duration) }
    func housekeepingDone(_ duration: Duration) { housekeeping.record(duration) }

    /// `kubelet_http_requests_total` / `kubelet_http_requests_duration_seconds` for one API request.
    func request(method: String, path: String, code: Int, seconds: Double) {
        let key = "\(method) \(path)"
        let (histogram, counter) = state.withLock { s -> (DurationHistogram, Counter) in
            let histogram = s.requestHistograms[key] ?? registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    metricName: "kubelet_http_requests_duration_seconds", unitName: "",
                    helpText: "Duration in seconds to serve an API request"),
                labels: [("method", method), ("path", path)], buckets: Self.latencyBuckets)
            s.requestHistograms[key] = histogram
            let counterKey = "\(key) \(code)"
            let counter = s.requestCounters[counterKey] ?? registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    metricName: "kubelet_http_requests_total", unitName: "", helpText: "Number of API requests served"),
                labels: [("method", method), ("path", path), ("code", String(code))])
            s.requestCounters[counterKey] = counter
            return (histogram, counter)
        }
        histogram.record(.nanoseconds(Int64(seconds * 1e9)))
        counter.increment()
    }

    /// `prober_probe_total{probe_type,result,container,pod,namespace}` (result: successful, failed, unknown).
    public func probe(type: String, result: String, container: String, pod: String, namespace: String) {
        counter(
            "prober_probe_total", help: "Cumulative number of liveness, readiness or startup probes for a container by result",
            labels: [("probe_type", type), ("result", result), ("container", container), ("pod", pod), ("namespace", namespace)]
        ).increment()
    }

    /// `kubelet_image_pull_duration_seconds` and `swiftlet_image_pulls_total{result}` (result: success, failure).
    public func imagePull(result: String, duration: Duration?) {
        counter("swiftlet_image_pulls_total", help: "Image pulls from registries by result", labels: [("result", result)])
            .increment()
        guard let duration else { return }
        let histogram = state.withLock { s in
            let h = s.labelledHistograms["pull"] ?? registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    metricName: "kubelet_image_pull_duration_seconds", unitName: "",
                    helpText: "Duration in seconds to pull an image"),
                labels: [], buckets: Self.latencyBuckets)
            s.labelledHistograms["pull"] = h
            return h
        }
        histogram.record(duration)
    }

    /// `swiftlet_events_evicted_total`: events dropped from the bounded in-memory store before
    /// they expired (the newest `capacity` are kept).
    func eventsEvicted() {
        counter(
            "swiftlet_events_evicted_total", help: "Events dropped from the in-memory event store because it was full",
            labels: []
        ).increment()
    }

    private func counter(_ name: String, help: String, labels: [(String, String)]) -> Counter {
        let key = name + labels.map { "\u{0}\($0.0)=\($0.1)" }.joined()
        return state.withLock { s in
            if let c = s.labelledCounters[key] { return c }
            let c = registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
            s.labelledCounters[key] = c
            return c
        }
    }

    // MARK: Exposition

    /// The text exposition: the registry's counters and histograms, then the pods' gauges.
    func render(pods: [Pod]) -> String {
        var out = registry.emitToString()
        var phases: [String: Int] = [:]
        for phase in ["Pending", "Running", "Succeeded", "Failed", "Unknown"] { phases[phase] = 0 }
        var containerStates: [String: Int] = ["running": 0, "exited": 0, "created": 0, "unknown": 0]
        var restarts: [(labels: String, count: Int)] = []
        for pod in pods {
            let phase = pod.status?.phase?.rawValue ?? "Pending"
            phases[phase, default: 0] += 1
            for container in (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? []) {
                let state: String
                if container.state.running != nil { state = "running" }
                else if container.state.terminated != nil { state = "exited" }
                else if container.state.waiting != nil { state = container.containerID == nil ? "unknown" : "created" }
                else { state = "unknown" }
                containerStates[state, default: 0] += 1
                let labels = Self.labels([
                    ("namespace", pod.namespace), ("pod", pod.name), ("uid", pod.uid), ("container", container.name),
                ])
                restarts.append((labels, Int(container.restartCount)))
            }
        }
        out += "# HELP kubelet_running_pods Number of pods that are running\n# TYPE kubelet_running_pods gauge\n"
        out += "kubelet_running_pods \(phases["Running"] ?? 0)\n"
        out += "# HELP swiftlet_pods Number of pods by phase\n# TYPE swiftlet_pods gauge\n"
        for (phase, count) in phases.sorted(by: { $0.key < $1.key }) {
            out += "swiftlet_pods\(Self.labels([("phase", phase)])) \(count)\n"
        }
        out += "# HELP kubelet_running_containers Number of containers by state\n# TYPE kubelet_running_containers gauge\n"
        for (state, count) in containerStates.sorted(by: { $0.key < $1.key }) {
            out += "kubelet_running_containers\(Self.labels([("container_state", state)])) \(count)\n"
        }
        out += "# HELP kube_pod_container_status_restarts_total Restarts of each container\n"
        out += "# TYPE kube_pod_container_status_restarts_total counter\n"
        for (labels, count) in restarts.sorted(by: { $0.labels < $1.labels }) {
            out += "kube_pod_container_status_restarts_total\(labels) \(count)\n"
        }
        out += ProcessMetrics.render()
        return out
    }

    /// `{a="x",b="y"}` with the exposition format's escapes.
    static func labels(_ pairs: [(String, String)]) -> String {
        let body = pairs.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }
        return "{" + body.joined(separator: ",") + "}"
    }
}

/// The standard `process_*` metrics of the agent itself, read from /proc/self.
enum ProcessMetrics {
    static func render() -> String {
        var out = ""
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let resident = Int(fields[1]), let virtual = Int(fields[0]) {
                out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n"
                out += "process_resident_memory_bytes \(resident * pageSize)\n"
                out += "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n# TYPE process_virtual_memory_bytes gauge\n"
                out += "process_virtual_memory_bytes \(virtual * pageSize)\n"
            }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            out += "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\n"
            out += "process_open_fds \(fds.count)\n"
        }
        return out
    }
}
