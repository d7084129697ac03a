import Foundation
import SwiftletKube

/// How long a container must still wait before its next restart.
public struct BackOffWindow: Hashable, Sendable {
    /// The whole current delay (10 s, 20 s, … 300 s): the number in
    /// `back-off 40s restarting failed container=…`.
    public var delay: TimeInterval
    /// What is left of `delay`, counted from the exit that started it.
    public var remaining: TimeInterval

    public init(delay: TimeInterval, remaining: TimeInterval) {
        self.delay = delay
        self.remaining = remaining
    }
}

/// Crash-loop back-off per container, the kubelet's `flowcontrol.Backoff` as `doBackOff` uses it
/// (without jitter, which the kubelet's crash-loop back-off does not configure either).
///
/// Protocol, per container whose newest run has exited:
/// 1. `window(for:since:now:)` with the run's `finishedAt`: non-nil means "do not start yet".
/// 2. when the caller does restart it, `next(_:eventTime:now:)` with the same `finishedAt`.
///
/// There is no entry before the first restart, so the first crash restarts at once; the
/// following ones wait 10, 20, 40 … s, capped at `maximum`. An entry whose container ran cleanly
/// for more than `2 × maximum` since its last restart starts over at `initial`.
public struct RestartBackoff: Hashable, Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    private var entries: [String: Entry] = [:]
    private static let dateRounding: TimeInterval = 1e-6

    private struct Entry: Hashable, Sendable {
        var delay: TimeInterval
        var lastUpdate: Date
    }

    /// `initial` above `maximum` is lowered to `maximum`, as `newCrashLoopBackOff` does.
    public init(initial: TimeInterval = 10, maximum: TimeInterval = 300) {
        self.maximum = max(maximum, 0)
        self.initial = min(max(initial, 0), self.maximum)
    }

    /// The kubelet's key: `<name>_<namespace>_<uid>_<container>_<hash>`. The hash covers the
    /// container's name and image (as `HashContainer` does since v1.31), so a new image starts a
    /// fresh back-off; a static pod's edited manifest gets a new UID and thus a new key anyway.
    public static func key(pod: Pod, container: Container) -> String {
        "\(pod.name)_\(pod.namespace)_\(pod.uid)_\(container.name)_\(containerHash(container))"
    }

    /// FNV-1a (32 bit) over name and image: stable across processes, unlike `Hasher`.
    static func containerHash(_ container: Container) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in Array(container.name.utf8) + [0] + Array((container.image ?? "").utf8) {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return String(hash, radix: 16)
    }

    /// `IsInBackOffSince`: is the container, whose newest run ended at `eventTime`, still inside
    /// its delay at `now`?
    public func isInBackOff(_ key: String, since eventTime: Date, now: Date) -> (inBackOff: Bool, remaining: TimeInterval) {
        guard let window = window(for: key, since: eventTime, now: now) else { return (false, 0) }
        return (true, window.remaining)
    }

    /// The same answer with the whole delay, which status messages print.
    public func window(for key: String, since eventTime: Date, now: Date) -> BackOffWindow? {
        guard let entry = entries[key], !hasExpired(entry, eventTime: eventTime) else { return nil }
        let elapsed = now.timeIntervalSince(eventTime)
        // Dates are Doubles: a caller that sleeps exactly `remaining` must not land a rounding
        // error short of the end and be told to wait another 0.0000001 s.
        guard elapsed + Self.dateRounding < entry.delay else { return nil }
        return BackOffWindow(delay: entry.delay, remaining: entry.delay - elapsed)
    }

    /// Records a restart of the container whose newest run ended at `eventTime`.
    public mutating func next(_ key: String, eventTime: Date, now: Date) {
        if let entry = entries[key], !hasExpired(entry, eventTime: eventTime) {
            entries[key] = Entry(delay: min(entry.delay * 2, maximum), lastUpdate: now)
        } else {
            entries[key] = Entry(delay: initial, lastUpdate: now)
        }
    }

    /// The current delay of `key` (0 without an entry): `Backoff.Get`.
    public func delay(_ key: String) -> TimeInterval { entries[key]?.delay ?? 0 }

    /// Forgets a container, e.g. when its pod is removed.
    public mutating func reset(_ key: String) { entries[key] = nil }

    /// Drops entries not updated for more than `2 × maximum`.
    public mutating func gc(now: Date) {
        entries = entries.filter { now.timeIntervalSince($0.value.lastUpdate) <= 2 * maximum }
    }

    public var count: Int { entries.count }

    // "Stable" once it ran for twice the maximum delay since the last restart.
    private func hasExpired(_ entry: Entry, eventTime: Date) -> Bool {
        eventTime.timeIntervalSince(entry.lastUpdate) > 2 * maximum
    }
}
