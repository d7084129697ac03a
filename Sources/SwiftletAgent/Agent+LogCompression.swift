import Foundation
import SwiftletRuntime

extension Agent {
    /// The kubelet's `containerLogMonitorInterval` default: how often rotated logs are looked at.
    static let containerLogMonitorInterval: TimeInterval = 10

    /// Gzips rotated container logs (every one but each attempt's newest), off the actor.
    func compressRotatedLogs() async {
        let runtime = self.runtime, logger = self.logger
        let now = Int64(Date().timeIntervalSince1970)
        let failures = await offload { runtime.compressRotatedLogs(now: now) }
        for failure in failures { logger.warning("container log compression: \(failure)") }
    }
}
