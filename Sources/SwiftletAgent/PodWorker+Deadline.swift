import Foundation
import SwiftletKube
import SwiftletLifecycle

/// `spec.activeDeadlineSeconds`: the kubelet's activeDeadlineHandler. It is both a sync handler
/// (a pod past its deadline fails) and a sync-loop handler (the kubelet syncs such a pod on its
/// next 1 s loop). Here the worker arms its own wake-up at the deadline instead, since the
/// housekeeping tick leaves steady pods alone. The deadline counts from `status.startTime`, which
/// a restarted agent reads back from the pod's start-time record (PodWorker+StartTime).
extension PodWorker {
    /// Kills the pod and fails it with `DeadlineExceeded` when its deadline has passed; true when it did.
    /// The kubelet records a Normal event and terminates every container (sidecars too) with the
    /// pod's grace period, as for any pod that reached a terminal phase.
    func enforceActiveDeadline() async -> Bool {
        guard !deadlineExceeded,
            PodActiveDeadline.verdict(pod: pod, startTime: status?.startTime?.date, now: Date()) == .exceeded
        else { return false }
        deadlineExceeded = true
        logger.info("\(pod.key): \(PodActiveDeadline.message)")
        await events.record(pod, reason: PodActiveDeadline.reason, message: PodActiveDeadline.message)
        await finish()
        return true
    }

    /// After each sync: wakes the worker at the deadline (replacing a wake-up armed for another time).
    func armActiveDeadline() async {
        guard pod.spec.activeDeadlineSeconds != nil else { return }
        guard !gone, !finished, deletionGrace == nil, let start = status?.startTime?.date else {
            // A finished or terminating pod has no deadline left to enforce.
            if gone || finished || deletionGrace != nil {
                deadlineWake?.task.cancel()
                deadlineWake = nil
            }
            return
        }
        let deadline = start.addingTimeInterval(TimeInterval(pod.spec.activeDeadlineSeconds ?? 0))
        guard deadlineWake?.at != deadline else { return }
        deadlineWake?.task.cancel()
        guard let wait = PodActiveDeadline.wait(pod: pod, startTime: start, now: Date()) else { return }
        let seconds = wait + 0.001
        deadlineWake = (
            deadline,
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                guard !Task.isCancelled else { return }
                await self?.requestSync()
            }
        )
    }
}
