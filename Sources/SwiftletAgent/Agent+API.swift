import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletServer

extension Agent: PodAPIBackend {
    /// In no particular order: the router sorts, off this actor.
    public func listPods(namespace: String?) async -> [Pod] {
        namespace == nil ? Array(published.values) : published.values.filter { $0.namespace == namespace }
    }

    public func getPod(namespace: String, name: String) async -> Pod? {
        keys["\(namespace)/\(name)"].flatMap { published[$0] }
    }

    public func createPod(_ pod: Pod) async throws -> Pod {
        var pod = pod.withDefaults()
        if pod.metadata.name == nil || pod.metadata.name?.isEmpty == true, let prefix = pod.metadata.generateName {
            pod.metadata.name = prefix + String(UUID().uuidString.lowercased().prefix(5))
        }
        let errors = pod.validate()
        if !errors.isEmpty {
            throw APIError.invalid("Pod", name: pod.name, causes: errors.map(\.description))
        }
        if keys[pod.key] != nil {
            throw APIError.alreadyExists("pods", name: pod.name)
        }
        let level = configuration.podSecurityLevel
        let violations = podSecurityViolations(pod, level: level)
        if !violations.isEmpty {
            // Pod Security Admission's wording, every violated check named.
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(pod.name)\" is forbidden: violates PodSecurity \"\(level.rawValue):latest\": "
                    + violations.joined(separator: ", "))
        }
        pod.metadata.uid = UUID().uuidString.lowercased()
        pod.metadata.creationTimestamp = KubeTime.now()
        pod.metadata.resourceVersion = nil
        pod.metadata.deletionTimestamp = nil
        var annotations = pod.metadata.annotations ?? [:]
        annotations["kubernetes.io/config.source"] = "api"
        pod.metadata.annotations = annotations
        pod.spec.nodeName = configuration.nodeName
        pod.status = nil
        do { try apiStore.save(pod) } catch {
            throw APIError.internalError("cannot persist pod \(pod.key): \(error)")
        }
        // The API server's pods are bound by the scheduler; here the node takes each one itself.
        await events.record(
            pod, reason: "Scheduled", message: "Successfully assigned \(pod.namespace)/\(pod.name) to \(configuration.nodeName)",
            component: "default-scheduler")
        admit(pod, source: .api)
        return published[pod.uid] ?? pod
    }

    public func replacePod(_ pod: Pod) async throws -> Pod {
        guard let uid = keys[pod.key], let worker = workers[uid], var current = published[uid] else {
            throw APIError.notFound("pods", name: pod.name)
        }
        guard sources[uid] == .api else {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(pod.name)\" is forbidden: pod is managed by a manifest file; edit the file instead")
        }
        var incoming = pod.withDefaults()
        incoming.spec.nodeName = current.spec.nodeName
        // The API server allows only a few spec fields to change on a running pod.
        if incoming.spec != current.spec {
            throw APIError.invalid(
                "Pod", name: pod.name,
                causes: [
                    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                        + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                        + "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                        + "(allow it to be set to 1 if it was previously negative); swiftlet does not update images "
                        + "in place yet: delete and re-create the pod"
                ])
        }
        current.metadata.labels = incoming.metadata.labels
        var annotations = incoming.metadata.annotations ?? [:]
        annotations["kubernetes.io/config.source"] = "api"
        current.metadata.annotations = annotations
        var stored = current
        stored.status = nil
        try? apiStore.save(stored)
        await worker.updateMetadata(current.metadata)
        return published[uid] ?? current
    }

    public func deletePod(namespace: String, name: String, gracePeriodSeconds: Int64?) async throws -> Pod {
        guard let uid = keys["\(namespace)/\(name)"], let worker = workers[uid] else {
            throw APIError.notFound("pods", name: name)
        }
        if sources[uid] == .file {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(name)\" is forbidden: static pod from a manifest file; remove the file to delete it")
        }
        apiStore.remove(uid: uid)
        let pod = await worker.delete(gracePeriod: gracePeriodSeconds)
        published(pod)
        return published[uid] ?? pod
    }

    public func watchPods() async -> AsyncStream<WatchEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .bufferingNewest(4096))
        for pod in published.values.sorted(computing: \.key) { continuation.yield(WatchEvent(type: WatchEvent.added, object: pod)) }
        watchers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        return stream
    }

    func removeWatcher(_ id: UUID) { watchers[id] = nil }

    public func containerLog(namespace: String, pod name: String, container: String?, previous: Bool) async throws
        -> ContainerLogSource
    {
        guard let uid = keys["\(namespace)/\(name)"], let pod = published[uid], let worker = workers[uid] else {
            throw APIError.notFound("pods", name: name)
        }
        let all = (pod.spec.initContainers ?? []) + pod.spec.containers
        let containerName: String
        if let container {
            guard all.contains(where: { $0.name == container }) else {
                throw APIError.badRequest("container \(container) is not valid for pod \(name)")
            }
            containerName = container
        } else if pod.spec.containers.count == 1 {
            containerName = pod.spec.containers[0].name
        } else {
            var message = "a container name must be specified for pod \(name), choose one of: ["
                + pod.spec.containers.map(\.name).joined(separator: " ") + "]"
            if let inits = pod.spec.initContainers, !inits.isEmpty {
                message += " or one of the init containers: [" + inits.map(\.name).joined(separator: " ") + "]"
            }
            throw APIError.badRequest(message)
        }
        let statuses = (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])
        let status = statuses.first { $0.name == containerName }
        let hasRun = status.map { $0.state.waiting == nil || $0.lastState.terminated != nil } ?? false
        guard let status, hasRun || status.restartCount > 0 else {
            throw APIError.badRequest(
                "container \"\(containerName)\" in pod \"\(name)\" is waiting to start: "
                    + (status?.state.waiting?.reason ?? "ContainerCreating"))
        }
        var attempt = Int(status.restartCount)
        if status.state.waiting != nil, status.lastState.terminated != nil, attempt > 0 {
            // Waiting to restart: the newest log is the one of the run that just ended.
            attempt = Int(status.restartCount)
        }
        if previous {
            guard status.lastState.terminated != nil || attempt > 0 else {
                throw APIError.badRequest("previous terminated container \"\(containerName)\" in pod \"\(name)\" not found")
            }
            attempt -= 1
        }
        let logAttempt = max(attempt, 0)
        let runtime = self.runtime
        let isPrevious = previous
        return ContainerLogSource(
            attempt: logAttempt, path: { runtime.logPath(pod: pod, container: containerName, attempt: $0) },
            followState: { [weak worker] attempt in
                // A previous run's log is complete; a vanished worker is a deleted pod.
                guard !isPrevious, let worker else { return .done }
                return await worker.logFollowState(containerName, attempt: attempt)
            },
            inflate: { LogCompression.inflate($0) })
    }

    public func listEvents(namespace: String?) async -> [Event] {
        await events.list(namespace: namespace)
    }

    public func watchEvents() async throws -> AsyncStream<EventWatchEvent> {
        await events.watch()
    }

    public func manifestFiles() async -> [ManifestFileStatus] {
        staticSource?.statuses ?? []
    }

    public func statsSummary() async -> StatsSummary? {
        let pods = Array(published.values)
        let stats = self.stats
        return await stats.summary(pods: pods)
    }
}

extension PodWorker {
    func logFollowState(_ container: String, attempt: Int) -> ContainerLogSource.FollowState {
        switch LogFollow.state(pod: pod, status: status, container: container, attempt: attempt, podGone: gone) {
        case .writing: return .writing
        case .waiting: return .waiting
        case .restarted: return .restarted
        case .done: return .done
        }
    }
}

extension Agent {
    public func node() async -> Node? {
        var uts = utsname()
        uname(&uts)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let osImage = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "Linux"
        let capacity: [String: Quantity] = [
            "cpu": Quantity(milli: node.cpuMilli), "memory": Quantity(node.memoryBytes, format: .binarySI),
            "pods": Quantity(110),
        ]
        let allocatable = node.allocatable
        var meta = ObjectMeta(name: configuration.nodeName, labels: nodeLabels)
        meta.uid = configuration.nodeName
        return Node(
            metadata: meta,
            status: NodeStatus(
                capacity: capacity,
                allocatable: [
                    "cpu": Quantity(milli: allocatable.cpuMilli), "memory": Quantity(allocatable.memoryBytes, format: .binarySI),
                    "pods": Quantity(110),
                ],
                addresses: (hostIP.map { [NodeAddress(type: "InternalIP", address: $0)] } ?? [])
                    + [NodeAddress(type: "Hostname", address: configuration.nodeName)],
                nodeInfo: NodeSystemInfo(
                    kernelVersion: field(uts.release), osImage: osImage, architecture: field(uts.machine),
                    operatingSystem: "linux", kubeletVersion: configuration.version,
                    containerRuntimeVersion: "swiftlet://\(configuration.version)")))
    }
}
