import Foundation
import SwiftletLaunch
import SwiftletSystem

/// One attempt of a container as the run records describe it.
public struct ObservedAttempt: Sendable, Hashable {
    public var attempt: Int
    public var pid: Int32?
    public var startedAt: Date?
    public var exit: Exit?
    /// Set when swiftlet-init could not start the command (reported as StartError, exit 128).
    public var startError: String?

    public struct Exit: Sendable, Hashable {
        public var exitCode: Int32
        public var signal: Int32?
        public var finishedAt: Date
        /// The runtime's reason when it knows better than the exit code (`OOMKilled`).
        public var reason: String?
    }
}

extension PodRuntime {
    /// Every recorded attempt of every container of a pod, newest last per container.
    public func observeAttempts(uid: String) -> [String: [ObservedAttempt]] {
        let statusDir = runDirectory(uid: uid).statusDir
        var byContainer: [String: [Int: ObservedAttempt]] = [:]
        for file in FileIO.list(statusDir) {
            // <name>.<attempt>.<kind>; container names are DNS labels, so they hold no dots.
            let parts = file.split(separator: ".")
            guard parts.count == 3, let attempt = Int(parts[1]) else { continue }
            let name = String(parts[0])
            let path = statusDir + "/" + file
            var entry = byContainer[name, default: [:]][attempt] ?? ObservedAttempt(attempt: attempt)
            switch parts[2] {
            case "start":
                guard let text = try? FileIO.readString(path), let record = RunRecord.Started(decoding: text) else { continue }
                entry.pid = record.pid
                entry.startedAt = Date(timeIntervalSince1970: record.startedAt.timeIntervalSince1970)
            case "exit":
                guard let text = try? FileIO.readString(path), let record = RunRecord.Exited(decoding: text) else { continue }
                entry.exit = .init(
                    exitCode: record.exitCode, signal: record.signal,
                    finishedAt: Date(timeIntervalSince1970: record.finishedAt.timeIntervalSince1970), reason: record.reason)
            case "error":
                entry.startError = (try? FileIO.readString(path)) ?? "container start failed"
            default:
                continue
            }
            byContainer[name, default: [:]][attempt] = entry
        }
        return byContainer.mapValues { $0.values.sorted { $0.attempt < $1.attempt } }
    }
}

extension ObservedAttempt {
    init(attempt: Int) {
        self.attempt = attempt
    }
}
