import Foundation
import SwiftletKube
import SwiftletServer

/// What the daemon's process shell needs from the agent: liveness for the systemd watchdog,
/// pod counts for `STATUS=`, and draining before an exit.
extension Agent {
    func housekeepingDone(started: ContinuousClock.Instant) {
        lastHousekeeping = .now
        agentMetrics.housekeepingDone(lastHousekeeping - started)
    }

    /// Whether the reconcile loop completed a pass within `limit`: answering at all proves the
    /// actor is not wedged, the time proves the loop still turns.
    public func isHealthy(within limit: Duration) -> Bool {
        ContinuousClock.now - lastHousekeeping <= limit
    }

    /// One line for systemd's `STATUS=`: pods by phase.
    public func statusLine() -> String {
        var counts: [PodPhase: Int] = [:]
        for pod in published.values { counts[pod.status?.phase ?? .pending, default: 0] += 1 }
        let parts = [PodPhase.running, .pending, .succeeded, .failed, .unknown].compactMap { phase in
            counts[phase].map { "\($0) \(phase.rawValue.lowercased())" }
        }
        return "\(published.count) pods" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
    }

    /// Called once a drain asked for through the API has stopped every pod (the daemon then exits).
    public func setDrainedHandler(_ handler: @escaping @Sendable () -> Void) { drainedHandler = handler }

    /// `POST /apis/swiftlet.dev/v1/drain` (`swiftlet drain`): drain in the background, then tell the daemon.
    public func requestDrain() async throws -> String {
        guard let handler = drainedHandler else {
            throw APIError(code: 501, reason: "NotImplemented", message: "this agent cannot exit on request")
        }
        let count = workers.count
        if !draining {
            Task {
                await self.drain()
                handler()
            }
        }
        return "draining \(count) pods; the agent exits once they are gone"
    }

    /// Stops every pod gracefully (each with its own terminationGracePeriodSeconds) and returns
    /// once all are gone. Manifests and the API pod store are kept: the next start runs them again.
    public func drain() async {
        draining = true
        let all = Array(workers.values)
        for worker in all {
            let pod = await worker.delete(gracePeriod: nil)
            published(pod)
        }
        for worker in all { await worker.waitUntilGone() }
    }
}

/// `GET /metrics` and the request metrics (part of the `PodAPIBackend` conformance).
extension Agent {
    public func metrics() async -> String? { agentMetrics.render(pods: Array(published.values)) }

    public nonisolated func observeRequest(method: String, path: String, code: Int, seconds: Double) async {
        agentMetrics.request(method: method, path: path, code: code, seconds: seconds)
    }
}

extension Agent {
    /// Re-reads the manifest directory now (SIGHUP).
    public func rescan() { rescanManifests() }
}
