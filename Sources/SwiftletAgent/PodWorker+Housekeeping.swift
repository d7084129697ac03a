import Foundation
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// The housekeeping tick: syncs the pod only when `PodHousekeeping` says there is something to
    /// do, so a node of steady pods costs one /proc read per pod and tick (its pause process's
    /// liveness), not a sync that re-reads its run records and network record.
    func housekeep(resyncTicks: Int) {
        guard !gone else { return }
        // The first tick starts each worker at a random point of its sync frequency, so pods
        // started together do not all resync on the same tick (the kubelet jitters its resyncs).
        let ticks = (ticksSinceSync ?? Int.random(in: 0..<max(resyncTicks, 1))) + 1
        ticksSinceSync = ticks
        let policy = PodHousekeeping(
            synced: hasSynced, finished: finished, deleting: deletionGrace != nil, admitted: admitted,
            failing: !startFailures.isEmpty || !volumeFailures.isEmpty || sandboxBackoffUntil != nil,
            sandboxAlive: sandboxRecord.map { $0.pause?.isAlive ?? false }, ticksSinceSync: ticks,
            resyncTicks: resyncTicks)
        if policy.syncReason(pod: pod, status: status) != nil { requestSync() }
    }

    /// This worker is about to change, or has changed, the sandbox: its record is read afresh.
    func sandboxChanged() {
        sandboxRecord = nil
        sandboxGeneration += 1
    }
}
