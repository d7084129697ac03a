import Foundation
import Logging
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletSystem

/// One pod's life, driven by syncs (the kubelet's pod worker): each sync observes the runtime,
/// asks the pure planner what to do, does it, and publishes the status the pure status function
/// computes. Syncs never overlap; a request during a sync runs one more afterwards.
actor PodWorker {
    nonisolated let uid: String
    /// A worker's pod keeps its name and namespace (a new UID is a new worker).
    nonisolated let podName: String
    nonisolated let podNamespace: String
    let runtime: PodRuntime
    let events: EventRecorder
    let logger: Logger
    /// Called with the pod and its new status after every sync.
    let publish: @Sendable (Pod) async -> Void
    /// Called once the pod is gone (deleted and cleaned up).
    let removed: @Sendable (Pod) async -> Void
    let hostIP: String?
    let node: NodeResources
    let podPidsLimit: Int64?
    let confinement: ContainerConfinement
    /// Asks the agent whether the pod's requests fit next to the admitted pods.
    let admission: @Sendable (Pod) async -> (admitted: Bool, reason: String?, message: String?)
    nonisolated let metrics: AgentMetrics?
    /// Admitted once; a re-adopted pod was admitted by the agent that started it.
    var admitted: Bool
    /// The ConfigMaps and Secrets of a namespace, as the agent has them now.
    let configObjects: @Sendable (String) async -> ConfigObjects

    private(set) var pod: Pod
    var status: PodStatus?
    var backoff: RestartBackoff
    /// Back-off between failed attempts to create a container (image missing, bad config): the kubelet's image back-off.
    var startBackoff: RestartBackoff
    var startFailures: [String: StartFailure] = [:]
    var startFailureTimes: [String: Date] = [:]
    var images: [String: ObservedImage] = [:]
    /// The pod's IPs from its sandbox's CNI result; nil until read (after an agent restart).
    var podIPs: [String]?
    /// A re-adopted sandbox's network is CHECKed once, on the first sync.
    var networkChecked = false
    var sandboxBackoffUntil: Date?
    var sandboxFailures = 0
    /// Volume set-up errors already reported (one FailedMount event per new error).
    var volumeFailures: Set<String> = []
    /// Set when the eviction manager's checks evicted the pod (reason `Evicted`).
    var evictionMessage: String?
    /// The reason that goes with `evictionMessage` when it is not an eviction (an admission rejection).
    var terminalReason: String?
    /// Set once the pod's activeDeadlineSeconds ran out (PodWorker+Deadline): phase Failed, `DeadlineExceeded`.
    var deadlineExceeded = false
    /// The wake-up armed for the pod's active deadline, and the deadline it is for.
    var deadlineWake: (at: Date, task: Task<Void, Never>)?
    /// The start time written to the run directory, so it is written once.
    var recordedStartTime: Date?
    /// Set when the pod must go: graceful deletion with this many seconds.
    var deletionGrace: TimeInterval?
    /// The pod finished (Succeeded/Failed) and its sandbox was stopped.
    var finished = false
    var gone = false
    /// Probe workers and their results, per container (PodWorker+Probes).
    var probes = ProbeBook()
    /// The current sandbox's record, read once per sandbox (PodWorker+Housekeeping); nil until read.
    var sandboxRecord: SandboxRecord?
    /// Bumped whenever this worker creates or stops the sandbox, so a read that raced it is dropped.
    var sandboxGeneration = 0
    /// Housekeeping ticks since the last sync; nil until the first tick (which staggers it).
    var ticksSinceSync: Int?
    private var syncing = false
    private var syncAgain = false
    /// A sync has finished: the pod was observed and published at least once (Agent.start waits
    /// for this on re-adopted pods before the daemon reports READY).
    private(set) var hasSynced = false
    private var wakeTask: Task<Void, Never>?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(
        pod: Pod, runtime: PodRuntime, events: EventRecorder, backoffInitial: TimeInterval, backoffMaximum: TimeInterval,
        adoptedStatus: PodStatus?, hostIP: String?, node: NodeResources, podPidsLimit: Int64?,
        confinement: ContainerConfinement, adopted: Bool,
        logger: Logger,
        admission: @escaping @Sendable (Pod) async -> (admitted: Bool, reason: String?, message: String?),
        publish: @escaping @Sendable (Pod) async -> Void, removed: @escaping @Sendable (Pod) async -> Void,
        metrics: AgentMetrics? = nil,
        configObjects: @escaping @Sendable (String) async -> ConfigObjects = { _ in ConfigObjects() }
    ) {
        self.configObjects = configObjects
        self.metrics = metrics
        self.uid = pod.uid
        self.podName = pod.name
        self.podNamespace = pod.namespace
        self.pod = pod
        self.runtime = runtime
        self.events = events
        self.logger = logger
        self.publish = publish
        self.removed = removed
        self.hostIP = hostIP
        self.node = node
        self.podPidsLimit = podPidsLimit
        self.confinement = confinement
        self.admission = admission
        self.admitted = adopted
        self.backoff = RestartBackoff(initial: backoffInitial, maximum: backoffMaximum)
        self.startBackoff = RestartBackoff(initial: backoffInitial, maximum: backoffMaximum)
        self.status = adoptedStatus
        if let phase = adoptedStatus?.phase, phase.isTerminal { finished = true }
        // A pod rejected at admission stays rejected (the kubelet never re-admits a terminal pod).
        if let rejection = adoptedStatus.flatMap(AdmissionRejection.rejection(in:)) {
            terminalReason = rejection.reason
            evictionMessage = rejection.message
        }
    }

    /// Asks for a sync; returns at once.
    func requestSync() {
        if syncing {
            syncAgain = true
            return
        }
        syncing = true
        Task { await self.syncLoop() }
    }

    private func syncLoop() async {
        repeat {
            syncAgain = false
            let started = ContinuousClock.now
            await sync()
            await recordStartTime()
            await armActiveDeadline()
            hasSynced = true
            ticksSinceSync = 0
            metrics?.podSynced(ContinuousClock.now - started)
        } while syncAgain && !gone
        syncing = false
    }

    /// Metadata-only update (labels, annotations) from the API.
    func updateMetadata(_ metadata: ObjectMeta) async {
        pod.metadata.labels = metadata.labels
        pod.metadata.annotations = metadata.annotations
        pod.metadata.ownerReferences = metadata.ownerReferences
        pod.metadata.finalizers = metadata.finalizers
        await publishCurrent()
    }

    /// Starts graceful deletion; `grace` nil means the pod's terminationGracePeriodSeconds.
    func delete(gracePeriod: Int64?) -> Pod {
        let specGrace = pod.spec.terminationGracePeriodSeconds ?? 30
        let requested = TimeInterval(gracePeriod ?? specGrace)
        // The grace period can only shrink once deletion started (pod_workers' calculateEffectiveGracePeriod).
        deletionGrace = min(deletionGrace ?? requested, requested)
        if pod.metadata.deletionTimestamp == nil {
            pod.metadata.deletionTimestamp = KubeTime.now()
            pod.metadata.deletionGracePeriodSeconds = Int64(deletionGrace ?? requested)
        }
        requestSync()
        var current = pod
        current.status = status
        return current
    }

    /// Suspends until the pod is gone.
    func waitUntilGone() async {
        if gone { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    var currentPod: Pod {
        var p = pod
        p.status = status
        return p
    }

    func publishCurrent() async {
        await publish(currentPod)
    }

    /// Wakes the worker after `seconds` (back-off expiry); a later request replaces an earlier one only if sooner.
    func scheduleWake(after seconds: TimeInterval) {
        wakeTask?.cancel()
        wakeTask = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(seconds, 0.001) * 1e9))
            guard !Task.isCancelled else { return }
            await self?.requestSync()
        }
    }

    func markGone() {
        gone = true
        probes.cancelAll()
        wakeTask?.cancel()
        deadlineWake?.task.cancel()
        for w in waiters { w.resume() }
        waiters.removeAll()
    }
}
