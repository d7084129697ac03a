import SwiftletKube

/// Whether a housekeeping tick syncs a pod. The kubelet's pod workers sync on events (PLEG,
/// probe results, API updates, back-off timers) and otherwise only once per sync frequency
/// (`--sync-frequency`, 1 min with jitter); a tick that synced every pod made the agent's idle
/// cost pods × ticks (each sync re-reads the pod's run records and network record).
///
/// A *steady* pod — phase Running, every container running (init containers done, sidecars
/// running), admitted, no failure or deletion pending — changes only through something that
/// already syncs it: a run record written (inotify on its status directory), a probe result, an
/// API call, a back-off wake, or its pause process dying, which the tick checks from the
/// identity the worker holds, without reading a file. A finished pod (Succeeded/Failed) has
/// nothing left to do. Every other pod, and every pod whose volumes are refreshed or measured on
/// each sync (configMap, secret, downwardAPI, projected; emptyDir with a sizeLimit), is synced on
/// every tick as before.
public struct PodHousekeeping: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// Not observed yet (new or re-adopted worker).
        case notSynced
        /// Its sync frequency is up: the safety net for anything no event reported.
        case resync
        /// Its recorded pause process is gone.
        case sandboxGone
        /// Not steady (starting, restarting, failing, waiting for admission, being deleted).
        case notSteady
        /// Its volumes are refreshed (configMap, secret, downwardAPI, projected) or measured
        /// (emptyDir sizeLimit) on every sync.
        case volumes
    }

    public var synced: Bool
    public var finished: Bool
    public var deleting: Bool
    public var admitted: Bool
    /// Start failures, volume failures or a sandbox back-off are pending.
    public var failing: Bool
    /// Whether the recorded pause process is alive; nil when the worker does not know it without reading files.
    public var sandboxAlive: Bool?
    /// Housekeeping ticks since the pod's last sync, and how many make one sync frequency.
    public var ticksSinceSync: Int
    public var resyncTicks: Int

    public init(
        synced: Bool, finished: Bool, deleting: Bool, admitted: Bool, failing: Bool, sandboxAlive: Bool?,
        ticksSinceSync: Int, resyncTicks: Int
    ) {
        self.synced = synced
        self.finished = finished
        self.deleting = deleting
        self.admitted = admitted
        self.failing = failing
        self.sandboxAlive = sandboxAlive
        self.ticksSinceSync = ticksSinceSync
        self.resyncTicks = resyncTicks
    }

    /// Why this tick syncs the pod; nil when it has nothing to do.
    public func syncReason(pod: Pod, status: PodStatus?) -> Reason? {
        guard synced else { return .notSynced }
        if ticksSinceSync >= max(resyncTicks, 1) { return .resync }
        if finished { return nil }
        if deleting || !admitted || failing { return .notSteady }
        if sandboxAlive != true { return sandboxAlive == false ? .sandboxGone : .notSteady }
        guard Self.isSteady(pod: pod, status: status) else { return .notSteady }
        if Self.refreshesVolumes(pod) { return .volumes }
        return nil
    }

    /// Phase Running with every container running, every regular init container done with exit
    /// 0 and every sidecar (restartable init container) running.
    public static func isSteady(pod: Pod, status: PodStatus?) -> Bool {
        guard let status, status.phase == .running else { return false }
        let containers = Dictionary((status.containerStatuses ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for container in pod.spec.containers where containers[container.name]?.state.running == nil {
            return false
        }
        let inits = Dictionary((status.initContainerStatuses ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for container in pod.spec.initContainers ?? [] {
            let state = inits[container.name]?.state
            if container.isRestartableInit {
                if state?.running == nil { return false }
            } else if state?.terminated?.exitCode != 0 {
                return false
            }
        }
        return true
    }

    /// Volumes the worker's sync re-writes (object and downward API payloads) or measures (emptyDir sizeLimit).
    public static func refreshesVolumes(_ pod: Pod) -> Bool {
        (pod.spec.volumes ?? []).contains { volume in
            volume.configMap != nil || volume.secret != nil || volume.downwardAPI != nil || volume.projected != nil
                || (volume.emptyDir?.sizeLimit?.sign ?? 0) > 0
        }
    }
}
