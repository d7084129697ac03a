import Foundation
import Synchronization
import SwiftletClient
import SwiftletKube

/// Follows the daemon's pod watch on a thread of its own and stamps, at the moment each
/// frame arrives, when a pod was first seen Running and when it was deleted — so the
/// figures do not include how often the bench looks.
final class PodTracker: Sendable {
    struct Seen: Sendable {
        var runningAt: ContinuousClock.Instant?
    }

    private struct State {
        var pods: [String: Seen] = [:]
        var deletedAt: [String: ContinuousClock.Instant] = [:]
        /// Conditions armed by `expect`: the first frame of the pod that meets one is stamped.
        var expectations: [String: Expectation] = [:]
        var stopped = false
        var streamErrors = 0
        var lastError: String?
    }

    private struct Expectation {
        var matches: @Sendable (Pod) -> Bool
        var metAt: ContinuousClock.Instant?
    }

    private let client: SwiftletAPIClient
    private let state = Mutex(State())

    init(client: SwiftletAPIClient) { self.client = client }

    /// Starts the watch; the stream is reopened if the daemon ends it.
    func start() {
        let thread = Thread { [self] in follow() }
        thread.name = "pod-watch"
        thread.start()
    }

    func stop() { state.withLock { $0.stopped = true } }

    var lastError: String? { state.withLock { $0.lastError } }

    private func follow() {
        while !state.withLock({ $0.stopped }) {
            do {
                try client.watchPods(namespace: nil) { event in
                    record(event, at: .now)
                    return !state.withLock { $0.stopped }
                }
            } catch {
                state.withLock {
                    $0.streamErrors += 1
                    $0.lastError = String(describing: error)
                }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private func record(_ event: SwiftletAPIClient.PodWatchEvent, at instant: ContinuousClock.Instant) {
        let key = event.object.namespace + "/" + event.object.name
        state.withLock { state in
            if event.type == "DELETED" {
                state.pods[key] = nil
                if state.deletedAt[key] == nil { state.deletedAt[key] = instant }
                return
            }
            state.deletedAt[key] = nil
            if var expectation = state.expectations[key], expectation.metAt == nil, expectation.matches(event.object) {
                expectation.metAt = instant
                state.expectations[key] = expectation
            }
            var seen = state.pods[key] ?? Seen()
            if seen.runningAt == nil, Self.isRunning(event.object) { seen.runningAt = instant }
            state.pods[key] = seen
        }
    }

    /// Phase Running and every app container in state running — what the brief times.
    static func isRunning(_ pod: Pod) -> Bool {
        guard let status = pod.status, status.phase == .running, let containers = status.containerStatuses,
            !containers.isEmpty
        else { return false }
        return containers.allSatisfy { $0.state.running != nil }
    }

    /// Arms a condition on the pod's next frames; `waitExpected` returns when a frame met it.
    func expect(_ key: String, _ matches: @escaping @Sendable (Pod) -> Bool) {
        state.withLock { $0.expectations[key] = Expectation(matches: matches) }
    }

    /// Waits until a frame met the condition armed by `expect` for each pod; returns the latest stamp.
    func waitExpected(_ keys: [String], timeout: Duration, what: String) throws(BenchError) -> ContinuousClock.Instant {
        defer { state.withLock { s in keys.forEach { s.expectations[$0] = nil } } }
        return try waitFor(keys, timeout: timeout, what: what) { state, key in state.expectations[key]?.metAt }
    }

    /// Forgets the deletion stamps of these pods, so a later wait sees only new deletions.
    func forgetDeletions(_ keys: [String]) { state.withLock { s in keys.forEach { s.deletedAt[$0] = nil } } }

    /// Waits until every pod in `keys` has been seen Running; returns the latest of their stamps.
    func waitRunning(_ keys: [String], timeout: Duration) throws(BenchError) -> ContinuousClock.Instant {
        try waitFor(keys, timeout: timeout, what: "Running") { state, key in state.pods[key]?.runningAt }
    }

    /// Waits until every pod in `keys` has been reported DELETED; returns the latest stamp.
    func waitDeleted(_ keys: [String], timeout: Duration) throws(BenchError) -> ContinuousClock.Instant {
        try waitFor(keys, timeout: timeout, what: "deleted") { state, key in
            state.pods[key] == nil ? state.deletedAt[key] : nil
        }
    }

    private func waitFor(
        _ keys: [String], timeout: Duration, what: String,
        stamp: (State, String) -> ContinuousClock.Instant?
    ) throws(BenchError) -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        guard !keys.isEmpty else { return .now }
        while true {
            let (latest, missing) = state.withLock { state -> (ContinuousClock.Instant?, [String]) in
                var latest: ContinuousClock.Instant?
                var missing: [String] = []
                for key in keys {
                    if let at = stamp(state, key) { latest = latest.map { Swift.max($0, at) } ?? at } else { missing.append(key) }
                }
                return (latest, missing)
            }
            if missing.isEmpty, let latest { return latest }
            if ContinuousClock.now > deadline {
                throw .timeout(what: "\(missing.count) of \(keys.count) pods \(what) (first: \(missing.first ?? "-"))", after: timeout)
            }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }
}
