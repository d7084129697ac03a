import Foundation
import ArgumentParser
import SwiftletClient
import SwiftletKube
import SwiftletLifecycle
import Synchronization

/// `swiftlet logs POD [-c C | --all-containers] [-f] [-p] [--since D | --since-time T] [--timestamps]
/// [--tail N] [--prefix] [--limit-bytes N]`, kubectl's flags and habits.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's logs.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "The pod name.") var pod: String
    @Option(name: [.short, .customLong("container")], help: "The container name.") var container: String?
    @Flag(name: .customLong("all-containers"), help: "Every container of the pod (init, then app containers).")
    var allContainers = false
    @Flag(name: [.short, .customLong("follow")], help: "Stream new lines, across restarts, until the container stops for good.")
    var follow = false
    @Flag(name: [.short, .customLong("previous")], help: "The previous instance of the container.") var previous = false
    @Option(name: .customLong("since"), help: "Only lines newer than a relative duration like 5s, 2m or 3h.") var since: String?
    @Option(name: .customLong("since-time"), help: "Only lines after an RFC 3339 time.") var sinceTime: String?
    @Flag(name: .customLong("timestamps"), help: "Prefix each line with its RFC 3339 time.") var timestamps = false
    @Option(name: .customLong("tail"), help: "Lines from the end to show; -1 for all.") var tail: Int = -1
    @Option(name: .customLong("limit-bytes"), help: "Maximum bytes to return.") var limitBytes: Int?
    @Flag(name: .customLong("prefix"), help: "Prefix each line with [pod/NAME/CONTAINER].") var prefix = false

    func validate() throws {
        if since != nil && sinceTime != nil { throw ValidationError("at most one of `sinceTime` or `sinceSeconds` may be specified") }
        if allContainers && container != nil { throw ValidationError("--all-containers=true should not be specified with container name \(container ?? "")") }
        if let since {
            guard let seconds = GoDuration.parse(since) else { throw ValidationError("invalid argument \"\(since)\" for \"--since\" flag: time: invalid duration \"\(since)\"") }
            guard seconds > 0 else { throw ValidationError("--since must be greater than 0") }
        }
    }

    func run() async throws {
        try reportingErrors {
            var query = SwiftletAPIClient.LogQuery()
            query.follow = follow
            query.previous = previous
            query.timestamps = timestamps
            query.tailLines = tail >= 0 ? tail : nil
            query.limitBytes = limitBytes
            // kubectl rounds a sub-second --since up to whole seconds.
            query.sinceSeconds = since.flatMap(GoDuration.parse).map { Int($0.rounded(.up)) }
            query.sinceTime = sinceTime
            let api = client.client
            let containers: [String?]
            if allContainers {
                let pod = try api.getPod(namespace: ns.namespace, name: pod)
                containers = (pod.spec.initContainers ?? []).map(\.name) + pod.spec.containers.map(\.name)
            } else {
                containers = [container ?? defaultContainer(client: api, namespace: ns.namespace, pod: pod)].compactMap { $0 }
                    .ifEmpty([nil])
            }
            let output = LogOutput(pod: pod, prefix: prefix)
            if follow && containers.count > 1 {
                // Followed streams never end on their own: read them side by side, as kubectl does.
                try followConcurrently(containers.compactMap { $0 }, query: query, output: output)
                return
            }
            for name in containers {
                var q = query
                q.container = name
                var lines = output.lines(for: name ?? "")
                try api.streamLogs(namespace: ns.namespace, pod: pod, options: q) { lines.feed($0) }
                lines.finish()
            }
        }
    }

    private func followConcurrently(_ containers: [String], query: SwiftletAPIClient.LogQuery, output: LogOutput) throws {
        let api = client.client
        let namespace = ns.namespace
        let pod = pod
        let firstError = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: containers.count) { i in
            var q = query
            q.container = containers[i]
            var lines = output.lines(for: containers[i])
            do {
                try api.streamLogs(namespace: namespace, pod: pod, options: q) { lines.feed($0) }
                lines.finish()
            } catch {
                firstError.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
    }
}

private extension Array where Element == String? {
    func ifEmpty(_ other: [String?]) -> [String?] { isEmpty ? other : self }
}

/// Writes log text to stdout, whole lines at a time when several streams share it or a prefix is asked.
final class LogOutput: Sendable {
    let pod: String
    let prefix: Bool
    private let lock = Mutex(())

    init(pod: String, prefix: Bool) {
        self.pod = pod
        self.prefix = prefix
    }

    func lines(for container: String) -> Lines { Lines(output: self, tag: prefix ? Array("[pod/\(pod)/\(container)] ".utf8) : []) }

    fileprivate func write(_ bytes: [UInt8]) {
        lock.withLock { _ in writeOut(bytes) }
    }

    /// One container's stream, cut into lines.
    struct Lines {
        let output: LogOutput
        let tag: [UInt8]
        private var partial: [UInt8] = []

        init(output: LogOutput, tag: [UInt8]) {
            self.output = output
            self.tag = tag
        }

        mutating func feed(_ chunk: [UInt8]) {
            partial.append(contentsOf: chunk)
            guard let last = partial.lastIndex(of: UInt8(ascii: "\n")) else { return }
            var out: [UInt8] = []
            for line in partial[...last].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
                out += tag
                out += line
                out.append(UInt8(ascii: "\n"))
            }
            partial.removeSubrange(...last)
            output.write(out)
        }

        /// A last line cut by `--limit-bytes` has no newline.
        mutating func finish() {
            guard !partial.isEmpty else { return }
            output.write(tag + partial)
            partial = []
        }
    }
}

/// kubectl's habit: without `-c`, the `kubectl.kubernetes.io/default-container` annotation or the
/// first container, announced on stderr when there was a choice.
func defaultContainer(client: SwiftletAPIClient, namespace: String, pod: String) -> String? {
    guard let pod = try? client.getPod(namespace: namespace, name: pod) else { return nil }
    let names = pod.spec.containers.map(\.name)
    let chosen = pod.metadata.annotations?["kubectl.kubernetes.io/default-container"] ?? names.first
    let inits = (pod.spec.initContainers ?? []).map { "\($0.name) (init)" }
    if let chosen, names.count + inits.count > 1 {
        let all = (names + inits).joined(separator: ", ")
        FileHandle.standardError.write(Data("Defaulted container \"\(chosen)\" out of: \(all)\n".utf8))
    }
    return chosen
}
