import Foundation
import SwiftletKube
import Synchronization

/// A load of concurrent API clients, each on its own thread with its own connections, cycling through
/// `list` (GET /api/v1/pods), `watch` (the initial ADDED events of every pod, then close) and `logs`
/// (a container log, not followed) until a deadline. Used by APILoadTests and `swiftlet-bench`.
public enum APILoad {
    public enum Kind: String, CaseIterable, Sendable { case list, watch, logs }

    public struct Report: Sendable {
        /// Latencies in ms per request kind.
        public var latencies: [Kind: [Double]] = [:]
        /// One line per failed request: what and why.
        public var errors: [String] = []
        public var clients = 0
        public var seconds: TimeInterval = 0

        public func count(_ kind: Kind) -> Int { latencies[kind]?.count ?? 0 }

        public var summary: String {
            var lines = ["api load: \(clients) clients for \(seconds) s, \(errors.count) errors"]
            for kind in Kind.allCases {
                let sorted = (latencies[kind] ?? []).sorted()
                guard !sorted.isEmpty else { continue }
                func at(_ q: Double) -> String {
                    String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q + 0.5))])
                }
                lines.append("  \(kind.rawValue): \(sorted.count) requests (\(String(format: "%.0f", Double(sorted.count) / seconds))/s), "
                    + "median \(at(0.5)) ms, p90 \(at(0.9)) ms, p99 \(at(0.99)) ms, max \(at(1)) ms")
            }
            return lines.joined(separator: "\n")
        }

        mutating func merge(_ other: Report) {
            for (kind, values) in other.latencies { latencies[kind, default: []] += values }
            errors += other.errors
        }
    }

    /// Runs `clients` threads for `seconds`; each request must see `expectedPods` pods (list and watch)
    /// or a non-empty log of `podName(i)`/`container`.
    public static func run(
        socket: String, clients: Int, seconds: TimeInterval, expectedPods: Int,
        podName: @escaping @Sendable (Int) -> String, container: String
    ) -> Report {
        let deadline = Date().addingTimeInterval(seconds)
        let results = Collected()
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            let thread = Thread {
                results.add(runClient(client, socket: socket, deadline: deadline, expectedPods: expectedPods,
                                      podName: podName, container: container))
                group.leave()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        group.wait()
        var report = results.report
        report.clients = clients
        report.seconds = seconds
        return report
    }

    private static func runClient(
        _ client: Int, socket: String, deadline: Date, expectedPods: Int,
        podName: (Int) -> String, container: String
    ) -> Report {
        let api = SwiftletAPIClient(socketPath: socket)
        var report = Report()
        var step = client  // clients start on different kinds, so all three run from the first moment
        while Date() < deadline {
            let kind = Kind.allCases[step % Kind.allCases.count]
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                switch kind {
                case .list:
                    let count = try api.listPods(namespace: nil).items.count
                    if count != expectedPods { report.errors.append("list: \(count) pods, expected \(expectedPods)") }
                case .watch:
                    var added = 0
                    try api.watchPods(namespace: nil) { event in
                        if event.type == "ADDED" { added += 1 }
                        return added < expectedPods
                    }
                    if added != expectedPods { report.errors.append("watch: \(added) ADDED events, expected \(expectedPods)") }
                case .logs:
                    var query = SwiftletAPIClient.LogQuery()
                    query.container = container
                    var bytes = 0
                    let pod = podName(client + step)
                    try api.streamLogs(namespace: "default", pod: pod, options: query) { bytes += $0.count }
                    if bytes == 0 { report.errors.append("logs: \(pod) returned no bytes") }
                }
            } catch {
                report.errors.append("\(kind.rawValue): \(error)")
            }
            report.latencies[kind, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            step += 1
        }
        return report
    }

    /// The reports of finished client threads.
    private final class Collected: Sendable {
        private let merged = Mutex(Report())
        func add(_ report: Report) { merged.withLock { $0.merge(report) } }
        var report: Report { merged.withLock { $0 } }
    }
}
