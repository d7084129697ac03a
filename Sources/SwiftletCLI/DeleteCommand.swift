import Glibc
import ArgumentParser
import SwiftletClient
import SwiftletKube

/// `swiftlet delete pod NAME… [--grace-period N]` or `swiftlet delete -f FILE`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete pods by name or by file.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "pod NAME…") var arguments: [String] = []
    @Option(name: [.short, .customLong("filename")], help: "Delete the pods a manifest file defines.") var filename: [String] = []
    @Option(name: .customLong("grace-period"), help: "Seconds to let the pod stop; -1 uses the pod's own value.")
    var gracePeriod: Int64 = -1
    @Flag(name: .customLong("now"), help: "Same as --grace-period=1.") var now = false
    @Option(name: .customLong("wait"), help: "Wait until the pods are gone (kubectl's default).") var wait = true

    func run() async throws {
        try reportingErrors {
            var targets: [(namespace: String, name: String)] = []
            if !filename.isEmpty {
                targets = try ManifestInput.pods(from: filename).map { ($0.namespace, $0.name) }
            } else {
                guard let kind = arguments.first, ["pod", "pods", "po"].contains(kind.lowercased()) else {
                    throw CLIUsageError("you must specify the type of resource to delete (pod) or -f FILE")
                }
                let names = arguments.dropFirst()
                guard !names.isEmpty else { throw CLIUsageError("resource(s) were provided, but no name was specified") }
                targets = names.map { (ns.namespace, $0) }
            }
            let grace: Int64? = now ? 1 : (gracePeriod >= 0 ? gracePeriod : nil)
            let api = client.client
            var failed = false
            for target in targets {
                do {
                    let deleted = try api.deletePod(namespace: target.namespace, name: target.name, gracePeriodSeconds: grace)
                    writeOut("pod \"\(target.name)\" deleted\n")
                    if wait { waitUntilGone(api, target.namespace, target.name, uid: deleted.metadata.uid) }
                } catch let error as APIStatusError {
                    printError(error.description)
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// Like kubectl: returns once the pod (this UID) no longer exists.
    func waitUntilGone(_ api: SwiftletAPIClient, _ namespace: String, _ name: String, uid: String?) {
        while let pod = try? api.getPod(namespace: namespace, name: name), pod.metadata.uid == uid {
            usleep(100_000)
        }
    }
}
