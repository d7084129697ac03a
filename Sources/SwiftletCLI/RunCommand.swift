import ArgumentParser
import SwiftletClient
import SwiftletKube

/// `swiftlet run NAME --image=IMG [--restart=…] [--env K=V]… [--labels k=v,…] [--command] [-- ARGS…]`,
/// building the pod `kubectl run` would.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run an image in a new pod.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "The pod name.") var name: String
    @Option(help: "The image to run.") var image: String
    @Option(help: "Always, OnFailure or Never.") var restart: String = "Always"
    @Option(help: "An environment variable K=V; repeatable.") var env: [String] = []
    @Option(help: "Labels k=v,k2=v2 (default run=NAME).") var labels: String?
    @Option(help: "A port the container exposes.") var port: Int32?
    @Flag(help: "Treat the arguments after -- as the command instead of its args.") var command = false
    @Option(name: [.short, .customLong("output")], help: "json or yaml: print the pod instead of a message.") var output: OutputFormat?
    @Flag(name: .customLong("dry-run"), help: "Print the pod without creating it.") var dryRun = false
    @Argument(parsing: .postTerminator, help: "Arguments (or the command, with --command) after --.")
    var trailing: [String] = []

    func run() async throws {
        try reportingErrors {
            let pod = try makePod()
            let result = dryRun ? pod : try client.client.createPod(pod)
            switch output {
            case .json: writeOut(try ObjectOutput.json(result))
            case .yaml: writeOut(try ObjectOutput.yaml(result))
            case .name: writeOut("pod/\(result.name)\n")
            case .wide, nil: writeOut("pod/\(result.name) created\(dryRun ? " (dry run)" : "")\n")
            }
        }
    }

    func makePod() throws -> Pod {
        guard let policy = RestartPolicy(rawValue: restart) else {
            throw CLIUsageError("invalid restart policy: \(restart)")
        }
        var container = Container(name: name, image: image)
        if command {
            guard !trailing.isEmpty else { throw CLIUsageError("--command requires a command after --") }
            container.command = trailing
        } else if !trailing.isEmpty {
            container.args = trailing
        }
        container.env = try env.map { pair in
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CLIUsageError("invalid env: \(pair)")
            }
            return EnvVar(name: String(pair[..<eq]), value: String(pair[pair.index(after: eq)...]))
        }
        if container.env?.isEmpty == true { container.env = nil }
        if let port { container.ports = [ContainerPort(containerPort: port)] }
        var podLabels = ["run": name]
        if let labels {
            podLabels = [:]
            for pair in labels.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, !kv[0].isEmpty else { throw CLIUsageError("invalid label spec: \(pair)") }
                podLabels[String(kv[0])] = String(kv[1])
            }
        }
        return Pod(
            metadata: ObjectMeta(name: name, namespace: ns.namespace, labels: podLabels),
            spec: PodSpec(containers: [container], restartPolicy: policy))
    }
}
