import Foundation
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
            query.container = container ?? defaultContainer(client: client.client, namespace: ns.namespace, pod: pod)
            query.follow = follow
            query.previous = previous
            query.timestamps = timestamps
            query.tailLines = tail >= 0 ? tail : nil
            query.limitBytes = limitBytes
            try client.client.streamLogs(namespace: ns.namespace, pod: pod, options: query) { writeOut($0) }
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
