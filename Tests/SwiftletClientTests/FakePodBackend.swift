import Foundation
import SwiftletKube
import SwiftletServer

/// An in-memory stand-in for the agent, enough to drive every API route.
actor FakePodBackend: PodAPIBackend {
    private var pods: [String: Pod] = [:]
    private var watchers: [UUID: AsyncStream<WatchEvent>.Continuation] = [:]
    private var running = true
    var logPath = ""
    var events: [Event] = []

    func listPods(namespace: String?) -> [Pod] {
        pods.values.filter { namespace == nil || $0.namespace == namespace }
    }

    func getPod(namespace: String, name: String) -> Pod? { pods["\(namespace)/\(name)"] }

    func createPod(_ pod: Pod) throws -> Pod {
        guard pods[pod.key] == nil else { throw APIError.alreadyExists("pods", name: pod.name) }
        guard let name = pod.metadata.name, !name.isEmpty else {
            throw APIError.invalid("Pod", name: "", causes: ["metadata.name: Required value: name or generateName is required"])
        }
        var stored = pod
        stored.metadata.uid = UUID().uuidString.lowercased()
        stored.status = PodStatus(phase: .pending)
        pods[pod.key] = stored
        broadcast(WatchEvent(type: WatchEvent.added, object: stored))
        return stored
    }

    func replacePod(_ pod: Pod) throws -> Pod {
        guard pods[pod.key] != nil else { throw APIError.notFound("pods", name: pod.name) }
        pods[pod.key] = pod
        broadcast(WatchEvent(type: WatchEvent.modified, object: pod))
        return pod
    }

    func deletePod(namespace: String, name: String, gracePeriodSeconds: Int64?) throws -> Pod {
        guard let pod = pods.removeValue(forKey: "\(namespace)/\(name)") else { throw APIError.notFound("pods", name: name) }
        broadcast(WatchEvent(type: WatchEvent.deleted, object: pod))
        return pod
    }

    func watchPods() -> AsyncStream<WatchEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: WatchEvent.self)
        for pod in pods.values { continuation.yield(WatchEvent(type: WatchEvent.added, object: pod)) }
        let id = UUID()
        watchers[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeWatcher(id) } }
        return stream
    }

    func containerLog(namespace: String, pod: String, container: String?, previous: Bool) throws -> ContainerLogSource {
        guard let stored = pods["\(namespace)/\(pod)"] else { throw APIError.notFound("pods", name: pod) }
        if container == nil, stored.spec.containers.count > 1 {
            let names = stored.spec.containers.map(\.name).joined(separator: " ")
            throw APIError.badRequest("a container name must be specified for pod \(pod), choose one of: [\(names)]")
        }
        return ContainerLogSource(path: logPath) { await self.isRunning() }
    }

    func listEvents(namespace: String?) -> [Event] { events }

    func manifestFiles() -> [ManifestFileStatus] {
        [ManifestFileStatus(path: "/etc/swiftlet/manifests/web.yaml", state: "Loaded", pods: ["default/web"])]
    }

    // Test controls.
    func isRunning() -> Bool { running }
    func setRunning(_ value: Bool) { running = value }
    func setLogPath(_ path: String) { logPath = path }
    var watcherCount: Int { watchers.count }
    func removeWatcher(_ id: UUID) { watchers[id] = nil }

    func update(_ pod: Pod) {
        pods[pod.key] = pod
        broadcast(WatchEvent(type: WatchEvent.modified, object: pod))
    }

    private func broadcast(_ event: WatchEvent) {
        for continuation in watchers.values { continuation.yield(event) }
    }
}
