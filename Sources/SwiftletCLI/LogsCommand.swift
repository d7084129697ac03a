import ArgumentParser
import SwiftletClient

/// `swiftlet logs POD [-c C] [-f] [-p] [--timestamps] [--tail N]`.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's logs.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "The pod name.") var pod: String
    @Option(name: [.short, .customLong("container")], help: "The container name.") var container: String?
    @Flag(name: [.short, .customLong("follow")], help: "Stream new lines until the container stops.") var follow = false
    @Flag(name: [.short, .customLong("previous")], help: "The previous instance of the container.") var previous = false
    @Flag(name: .customLong("timestamps"), help: "Prefix each line with its RFC 3339 time.") var timestamps = false
    @Option(name: .customLong("tail"), help: "Lines from the end to show; -1 for all.") var tail: Int = -1
    @Option(name: .customLong("limit-bytes"), help: "Maximum bytes to return.") var limitBytes: Int?

    func run() async throws {
        try reportingErrors {
            var query = SwiftletAPIClient.LogQuery()
            query.container = container
            query.follow = follow
            query.previous = previous
            query.timestamps = timestamps
            query.tailLines = tail >= 0 ? tail : nil
            query.limitBytes = limitBytes
            try client.client.streamLogs(namespace: ns.namespace, pod: pod, options: query) { writeOut($0) }
        }
    }
}
