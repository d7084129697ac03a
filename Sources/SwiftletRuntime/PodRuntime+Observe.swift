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
        /// What the container left at `terminationMessagePath` (or its log's tail); see `observeAttempts(pod:)`.
        public var message: String? = nil
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
                guard let text = try? FileIO.readString(path), let record = RunRecord.Started(decoding: text) else {
                    // A torn record (records are renamed into place, so only a damaged disk tears
                    // one): the start happened, so the attempt counts as started — never as one to
                    // start again — at the time the file was written.
                    entry.startedAt = Self.modificationTime(path) ?? Date()
                    break
                }
                entry.pid = record.pid
                entry.startedAt = Date(timeIntervalSince1970: record.startedAt.timeIntervalSince1970)
            case "exit":
                guard let text = try? FileIO.readString(path), let record = RunRecord.Exited(decoding: text) else {
                    // The exit happened but its code is lost: the kubelet's answer for a container
                    // whose end it cannot know is ContainerStatusUnknown with 137.
                    entry.exit = .init(
                        exitCode: 137, signal: nil, finishedAt: Self.modificationTime(path) ?? Date(), reason: "ContainerStatusUnknown")
                    break
                }
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

extension PodRuntime {
    static func modificationTime(_ path: String) -> Date? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }
}

extension ObservedAttempt {
    init(attempt: Int) {
        self.attempt = attempt
    }
}
