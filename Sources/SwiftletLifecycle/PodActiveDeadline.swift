import Foundation
import SwiftletKube

/// The kubelet's `activeDeadlineHandler` (pkg/kubelet/active_deadline.go) as a pure decision: a
/// pod with `spec.activeDeadlineSeconds` that has been active on the node for at least that long
/// since `status.startTime` is killed and fails with reason `DeadlineExceeded`, whatever its
/// restartPolicy. A pod without a start time has not started its clock.
public enum PodActiveDeadline {
    public static let reason = "DeadlineExceeded"
    public static let message = "Pod was active on the node longer than the specified deadline"

    public enum Verdict: Sendable, Equatable {
        /// No deadline applies (none set, or no start time yet).
        case none
        /// The deadline is this many seconds away.
        case remaining(TimeInterval)
        /// The pod has been active for its deadline or longer.
        case exceeded
    }

    /// The kubelet's `pastActiveDeadline`: exceeded once `now - startTime >= activeDeadlineSeconds`.
    public static func verdict(pod: Pod, startTime: Date?, now: Date) -> Verdict {
        guard let seconds = pod.spec.activeDeadlineSeconds, let startTime else { return .none }
        let left = startTime.addingTimeInterval(TimeInterval(seconds)).timeIntervalSince(now)
        return left <= 0 ? .exceeded : .remaining(left)
    }

    /// The longest single wait for a deadline: `activeDeadlineSeconds` is at most 2^31 - 1, and a
    /// longer delay (from a start time far off) would overflow the nanoseconds of a sleep.
    public static let longestWait: TimeInterval = TimeInterval(Int32.max)

    /// Seconds from `now` until the deadline of a pod started at `startTime` (nil when no deadline
    /// applies): the `verdict`'s remaining time, 0 once exceeded, clamped to `longestWait`.
    public static func wait(pod: Pod, startTime: Date, now: Date) -> TimeInterval? {
        switch verdict(pod: pod, startTime: startTime, now: now) {
        case .none: nil
        case .exceeded: 0
        case .remaining(let left): min(left, longestWait)
        }
    }
}
