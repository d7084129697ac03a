import Foundation

/// A pod's `status.startTime` as the agent keeps it in the pod's run directory (`start-time`,
/// epoch seconds as text). On Kubernetes the start time lives in the API server's pod status and
/// survives kubelet restarts; here the record plays that part for every pod, and the active
/// deadline counts from it.
public enum PodStartTimeRecord {
    /// The file's name in the pod's run directory.
    public static let fileName = "start-time"

    /// The file's text for a start time.
    public static func text(_ startTime: Date) -> String { "\(startTime.timeIntervalSince1970)\n" }

    /// A start time recorded by an earlier agent. A value that cannot be a start time of this pod —
    /// not a number, before 1970, or more than a minute ahead of `now` — is damaged state and counts
    /// as none, so the pod's clock starts again instead of the agent carrying a date it cannot
    /// encode or a deadline that never comes.
    public static func startTime(_ text: String, now: Date) -> Date? {
        guard let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), seconds.isFinite,
            seconds > 0, seconds <= now.timeIntervalSince1970 + 60
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}
