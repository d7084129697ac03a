import Foundation
import Logging
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletServer
import SwiftletSystem

/// The node agent: owns the pod workers, merges the two pod sources (manifest files and the API),
/// re-adopts pods after a restart, and serves the API backend.
public actor Agent {
    public let configuration: AgentConfiguration
    let runtime: PodRuntime
    let events: EventRecorder
    let logger: Logger
    let apiStore: APIPodStore

    var workers: [String: PodWorker] = [:]
    /// Latest published pod (with status) per UID.
    var published: [String: Pod] = [:]
    /// UID per `namespace/name`.
    var keys: [String: String] = [:]
    var sources: [String: PodSource] = [:]
    var staticSource: StaticPodSource?
    /// Pods found in the run directory at start-up, waiting to be claimed by a source.
    var adoptable: [String: Pod] = [:]
    var adoptableStatus: [String: PodStatus] = [:]
    /// New pods waiting for an older pod with the same name to terminate (the kubelet's same-fullname rule).
    var pendingStarts: [String: Pod] = [:]
    var watchers: [UUID: AsyncStream<WatchEvent>.Continuation] = [:]
    var resourceVersion = 0
    var statusWatches: [Int32: String] = [:]
    let watcher: DirectoryWatcher
    let hostIP: String?
    let stats: StatsCollector
    let node: NodeResources
    /// One for all pods, so compiled seccomp programs are shared.
    let confinement: ContainerConfinement
    /// Pods whose requests were admitted against the node's allocatable resources.
    var admittedUIDs: Set<String> = []
    var manifestWatch: Int32?
    public let agentMetrics: AgentMetrics
    /// When the housekeeping loop last completed a pass (the systemd watchdog's proof of life).
    var lastHousekeeping = ContinuousClock.now
    /// Set by `drain()`: pods are being stopped for an agent exit, so nothing new is admitted and
    /// API pods stay in their store (they come back with the next start, as after a reboot).
    var draining = false
    var drainedHandler: (@Sendable () -> Void)?
    /// ConfigMaps, Secrets, ... from manifest files and the API (Agent+Objects.swift).
    var objects = ObjectStore()
    var controllerLoop = ControllerLoop()
    /// The node's labels: the kubelet's defaults and the configured `nodeLabels` (a reload may change them).
    var nodeLabels: [String: String]
    let apiObjects: APIObjectStore
    /// The controller-written `.status` of file-defined objects (Job counts, CronJob schedule
    /// times), which the manifest files cannot hold but a restart must not lose.
    let fileObjectStatus: APIObjectStore
    /// The clock CronJob schedules run on (sped up only by the test-only `scheduleClockSpeed`).
    let scheduleClock: ScheduleClock
    var objectWatchers: [UUID: (resource: String, continuation: AsyncStream<ObjectWatchEvent>.Continuation)] = [:]

    enum PodSource: Sendable { case file, api }

    public init(configuration: AgentConfiguration, runtime: PodRuntime, logger: Logger) throws {
        self.configuration = configuration
        self.runtime = runtime
        self.logger = logger
        self.agentMetrics = AgentMetrics(version: configuration.version)
        self.events = EventRecorder(
            nodeName: configuration.nodeName, metrics: agentMetrics,
            file: configuration.runtime.stateDirectory + "/events/events.jsonl", logger: logger)
        self.apiStore = try APIPodStore(directory: configuration.runtime.stateDirectory + "/apipods")
        self.apiObjects = try APIObjectStore(directory: configuration.runtime.stateDirectory + "/apiobjects")
        self.fileObjectStatus = try APIObjectStore(directory: configuration.runtime.stateDirectory + "/objectstatus")
        self.scheduleClock = ScheduleClock.load(stateDirectory: configuration.runtime.stateDirectory, speed: configuration.scheduleClockSpeed)
        self.watcher = try DirectoryWatcher()
        self.hostIP = configuration.hostIP ?? HostAddress.primaryIPv4()
        self.stats = StatsCollector(runtime: runtime, nodeName: configuration.nodeName)
        self.confinement = ContainerConfinement(
            defaultSeccomp: configuration.defaultSeccomp, seccompProfileRoot: configuration.seccompProfileRoot)
        self.nodeLabels = Self.composeNodeLabels(nodeName: configuration.nodeName, configured: configuration.nodeLabels)
        self.node = NodeResources.detect(
            reservedCPUMilli: configuration.reservedCPUMilli, reservedMemoryBytes: configuration.reservedMemoryBytes)
        if let dir = configuration.manifestDirectory {
            staticSource = StaticPodSource(
                directory: dir, nodeName: configuration.nodeName, requireSecureFiles: configuration.requireSecureManifests)
        }
    }

    /// Re-adopts surviving pods, loads both sources, and starts the background loops.
    public func start() async throws {
        let runtime = self.runtime
        let confinement = self.confinement
        Task.detached(priority: .utility) { confinement.precompileRuntimeDefault() }
        // Before any pod records one, so counts go on from the stored events.
        await events.restore()
        let found = await offload { runtime.sandboxPods() }
        for pod in found { adoptable[pod.uid] = pod }
        // Every pod's run directory, with a sandbox or not (a pod rejected at admission has none),
        // keeps its start time and final status: the pod is published as it was, not started anew.
        let sandboxed = Set(found.map(\.uid))
        let recorded = await offload {
            runtime.podRunDirectoryUIDs().map { uid in
                (uid, PodWorker.recordedStatus(runDirectory: runtime.runDirectory(uid: uid).path, admitted: sandboxed.contains(uid)))
            }
        }
        for case let (uid, status?) in recorded { adoptableStatus[uid] = status }
        if let dir = configuration.manifestDirectory {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            manifestWatch = try? watcher.add(
                dir,
                mask: DirectoryWatcher.closeWrite | DirectoryWatcher.movedTo | DirectoryWatcher.movedFrom
                    | DirectoryWatcher.delete | DirectoryWatcher.create | DirectoryWatcher.attrib)
        }
        loadAPIObjects()
        let stored = apiStore.load()
        for pod in stored.pods { admit(pod, source: .api) }
        recoverUnreadableAPIRecords(stored.unreadable)
        rescanManifests()
        await handleUnreadableSandboxes()
        // Whatever no source claimed was deleted while the agent was down.
        for (uid, pod) in adoptable {
            logger.info("removing orphaned pod \(pod.key) (\(uid))")
            _ = try? await offload { try runtime.removePod(pod, removeLogs: true) }
        }
        let reAdopted = found.map(\.uid).filter { adoptable[$0] == nil }.compactMap { workers[$0] }
        adoptable.removeAll()
        startLoops()
        enableControllers()
        await waitForFirstSync(of: reAdopted)
    }

    /// The daemon reports READY once start() returns, and its STATUS counts the pods: a re-adopted
    /// pod must have been observed by then, not still show the Pending it was admitted with.
    /// Bounded, so a pod whose first sync hangs cannot hold the agent's start.
    private func waitForFirstSync(of reAdopted: [PodWorker], limit: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + limit
        for worker in reAdopted {
            while await !worker.hasSynced, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    private func startLoops() {
        let watcher = self.watcher
        let thread = Thread { [weak self] in
            while let agent = self {
                let events = watcher.wait(timeoutMilliseconds: 1000)
                if !events.isEmpty { Task { await agent.handle(events) } }
            }
        }
        thread.name = "swiftlet-inotify"
        thread.start()
        let housekeeping = configuration.housekeepingInterval
        let rescan = configuration.manifestRescanInterval
        Task { [weak self] in
            var lastRescan = Date()
            var lastLogCompression = Date()
            while let agent = self {
                try? await Task.sleep(nanoseconds: UInt64(housekeeping * 1e9))
                let started = ContinuousClock.now
                await agent.housekeepPods()
                await agent.collectImageGarbage()
                if Date().timeIntervalSince(lastLogCompression) >= Agent.containerLogMonitorInterval {
                    lastLogCompression = Date()
                    await agent.compressRotatedLogs()
                }
                if Date().timeIntervalSince(lastRescan) >= rescan {
                    lastRescan = Date()
                    await agent.rescanManifests()
                }
                await agent.housekeepingDone(started: started)
                // What this pass and the syncs and requests since the last one freed (see Heap).
                await offload { Heap.releaseFreePages() }
            }
        }
    }

    func handle(_ events: [DirectoryWatcher.Event]) {
        var rescan = false
        for event in events {
            if event.watch == manifestWatch || event.mask & DirectoryWatcher.overflow != 0 {
                rescan = true
            } else if let uid = statusWatches[event.watch] {
                if event.mask & DirectoryWatcher.ignored != 0 {
                    statusWatches[event.watch] = nil
                } else {
                    workers[uid].map { w in Task { await w.requestSync() } }
                }
            }
        }
        if rescan { rescanManifests() }
    }

    /// One housekeeping tick over every pod: each worker syncs only if it has something to do
    /// (`PodWorker.housekeep`), at the latest once per sync frequency.
    func housekeepPods() {
        let resyncTicks = max(1, Int((configuration.syncFrequency / max(configuration.housekeepingInterval, 0.001)).rounded()))
        for worker in workers.values { Task { await worker.housekeep(resyncTicks: resyncTicks) } }
        scheduleControllers()
    }

    // MARK: Sources

    func rescanManifests() {
        guard var source = staticSource else { return }
        let changes = source.rescan()
        for (path, error) in changes {
            if let error {
                logger.error("manifest \(path): \(error)")
            } else {
                logger.info("manifest \(path) \(source.files[path] == nil ? "removed" : "loaded")")
            }
        }
        var running: [String: String] = [:]
        for (key, uid) in keys where sources[uid] == .file { running[key] = uid }
        let desired = source.desiredPods(running: running)
        let desiredObjects = source.desiredObjects()
        staticSource = source
        applyFileObjects(desiredObjects)
        // Errors of files whose earlier pods still run show up as events on those pods.
        for (path, error) in changes {
            guard let error, let record = source.files[path] else { continue }
            for pod in record.pods {
                if let uid = keys[pod.key], let p = published[uid] {
                    Task { await events.record(p, type: "Warning", reason: "FailedManifest", message: error) }
                }
            }
        }
        let desiredUIDs = Set(desired.map(\.uid))
        for (uid, source) in sources where source == .file && !desiredUIDs.contains(uid) {
            if let worker = workers[uid] { Task { await self.published(await worker.delete(gracePeriod: nil)) } }
        }
        for (key, pod) in pendingStarts where !desiredUIDs.contains(pod.uid) && sources[pod.uid] == nil {
            pendingStarts[key] = nil
        }
        for pod in desired where workers[pod.uid] == nil {
            if let other = keys[pod.key], sources[other] == .api {
                continue  // an API pod owns this name; the file shows as conflicting
            }
            admit(pod, source: .file)
        }
    }

    /// Starts a worker for a pod, or queues it behind an older pod with the same name.
    func admit(_ pod: Pod, source: PodSource) {
        guard !draining else { return }
        if let old = keys[pod.key], old != pod.uid, workers[old] != nil {
            pendingStarts[pod.key] = pod
            if let worker = workers[old] { Task { await self.published(await worker.delete(gracePeriod: nil)) } }
            return
        }
        let adopted = adoptable.removeValue(forKey: pod.uid)
        let adoptedStatus = adoptableStatus.removeValue(forKey: pod.uid)
        var pod = pod
        if let adopted {
            // Keep what the pod had when it started (creation time, API metadata).
            pod.metadata.creationTimestamp = adopted.metadata.creationTimestamp ?? pod.metadata.creationTimestamp
        }
        let worker = PodWorker(
            pod: pod, runtime: runtime, events: events, backoffInitial: configuration.backoffInitial,
            backoffMaximum: configuration.backoffMaximum, adoptedStatus: adoptedStatus,
            hostIP: hostIP, node: node, podPidsLimit: configuration.podPidsLimit,
            confinement: confinement,
            adopted: adopted != nil,
            logger: logger,
            admission: { [weak self] p in await self?.admission(p) ?? (false, "Shutdown", "the agent is stopping") },
            publish: { [weak self] p in await self?.published(p) },
            removed: { [weak self] p in await self?.removed(p) },
            metrics: agentMetrics,
            configObjects: { [weak self] ns in await self?.configObjects(namespace: ns) ?? ConfigObjects() })
        if adopted == nil { agentMetrics.podSeen(uid: pod.uid) }
        workers[pod.uid] = worker
        sources[pod.uid] = source
        if adopted != nil { admittedUIDs.insert(pod.uid) }
        keys[pod.key] = pod.uid
        var initial = pod
        initial.status = adoptedStatus ?? PodStatus(phase: .pending)
        published(initial)
        watchStatusDirectory(uid: pod.uid)
        Task { await worker.requestSync() }
    }

    func watchStatusDirectory(uid: String) {
        let dir = runtime.runDirectory(uid: uid).statusDir
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let wd = try? watcher.add(dir, mask: DirectoryWatcher.movedTo | DirectoryWatcher.closeWrite) {
            statusWatches[wd] = uid
        }
    }

    // MARK: Publishing

    func published(_ pod: Pod) {
        let uid = pod.uid
        // A late update of a pod that is already gone must not bring it back.
        guard workers[uid] != nil else { return }
        let old = published[uid]
        var pod = pod
        if let old, old.status == pod.status, old.metadata == pod.metadata.withResourceVersion(old.metadata.resourceVersion) {
            return
        }
        resourceVersion += 1
        pod.metadata.resourceVersion = String(resourceVersion)
        published[uid] = pod
        agentMetrics.published(pod)
        broadcast(WatchEvent(type: old == nil ? WatchEvent.added : WatchEvent.modified, object: pod))
    }

    /// The kubelet's resource admission against the pods admitted so far (finished pods release theirs).
    func admission(_ pod: Pod) -> (admitted: Bool, reason: String?, message: String?) {
        let running = admittedUIDs.compactMap { published[$0] }.filter { !($0.status?.phase?.isTerminal ?? false) }
        var verdict = SwiftletLifecycle.admit(pod: pod, running: running, allocatable: node.allocatable)
        if verdict.admitted { verdict = admitHostPorts(pod: pod, running: running) }
        if verdict.admitted { verdict = admitNodeAffinity(pod: pod, node: nodeIdentity) }
        if verdict.admitted { admittedUIDs.insert(pod.uid) }
        return verdict
    }

    func removed(_ pod: Pod) {
        let uid = pod.uid
        admittedUIDs.remove(uid)
        workers[uid] = nil
        sources[uid] = nil
        if keys[pod.key] == uid { keys[pod.key] = nil }
        if !draining { apiStore.remove(uid: uid) }
        agentMetrics.podForgotten(uid: uid)
        var last = published.removeValue(forKey: uid) ?? pod
        resourceVersion += 1
        last.metadata.resourceVersion = String(resourceVersion)
        broadcast(WatchEvent(type: WatchEvent.deleted, object: last))
        if let next = pendingStarts.removeValue(forKey: pod.key) {
            admit(next, source: next.metadata.annotations?["kubernetes.io/config.source"] == "file" ? .file : .api)
        }
    }

    func broadcast(_ event: WatchEvent) {
        for continuation in watchers.values { continuation.yield(event) }
        scheduleControllers()
    }

    /// Stops every worker loop and lets pods run on (an agent restart must not touch them).
    public func pods() -> [Pod] { Array(published.values) }
}

extension ObjectMeta {
    func withResourceVersion(_ version: String?) -> ObjectMeta {
        var copy = self
        copy.resourceVersion = version
        return copy
    }
}
