import Glibc
import ArgumentParser
import SwiftletClient
import SwiftletKube

/// `swiftlet delete pod NAME… [--grace-period N]`, `swiftlet delete KIND NAME… [--cascade=…]`
/// for any stored kind (deployments, replicasets, configmaps, ...), or `swiftlet delete -f FILE`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete pods or other objects by name, or pods by file.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "pod NAME…, or KIND NAME… (deployment, rs, ds, configmap, ...), or KIND/NAME") var arguments: [String] = []
    @Option(name: [.short, .customLong("filename")], help: "Delete the pods a manifest file defines.") var filename: [String] = []
    @Option(name: .customLong("grace-period"), help: "Seconds to let the pod stop; -1 uses the pod's own value.")
    var gracePeriod: Int64 = -1
    @Flag(name: .customLong("now"), help: "Same as --grace-period=1.") var now = false
    @Option(name: .customLong("wait"), help: "Wait until the pods are gone (kubectl's default).") var wait = true
    @Option(name: .customLong("cascade"), help: "background (default), foreground or orphan: what happens to the object's dependents.")
    var cascade: String = "background"

    func run() async throws {
        try reportingErrors {
            var targets: [(namespace: String, name: String)] = []
            if !filename.isEmpty {
                targets = try ManifestInput.pods(from: filename).map { ($0.namespace, $0.name) }
            } else if let (type, names) = try objectTargets() {
                return try deleteObjects(type, names)
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
            try forEachReportingAPIErrors(targets) { target in
                let deleted = try api.deletePod(namespace: target.namespace, name: target.name, gracePeriodSeconds: grace)
                writeOut("pod \"\(target.name)\" deleted\n")
                if wait { waitUntilGone(api, target.namespace, target.name, uid: deleted.metadata.uid) }
            }
        }
    }

    /// The stored kind and names of `KIND NAME…` or `KIND/NAME`; nil for pods.
    func objectTargets() throws -> (any KubeObject.Type, [String])? {
        guard let first = arguments.first else { return nil }
        let kind = first.split(separator: "/", maxSplits: 1).first.map(String.init) ?? first
        if ["pod", "pods", "po"].contains(kind.lowercased()) { return nil }
        guard let type = ObjectPrinter.type(named: kind) else {
            throw CLIUsageError("the server doesn't have a resource type \"\(kind)\"")
        }
        let names = first.contains("/") ? [String(first.split(separator: "/", maxSplits: 1)[1])] + arguments.dropFirst() : Array(arguments.dropFirst())
        guard !names.isEmpty else { throw CLIUsageError("resource(s) were provided, but no name was specified") }
        return (type, names)
    }

    /// kubectl's `--cascade`: background (the dependents are collected), orphan (they keep
    /// running without an owner); foreground is accepted and behaves as background here.
    func deleteObjects(_ type: any KubeObject.Type, _ names: [String]) throws {
        let policy: String
        switch cascade.lowercased() {
        case "background", "true": policy = "Background"
        case "foreground": policy = "Foreground"
        case "orphan", "false": policy = "Orphan"
        default: throw CLIUsageError("invalid cascade value (\(cascade)). Must be \"background\", \"foreground\", or \"orphan\"")
        }
        let api = client.client
        try forEachReportingAPIErrors(names) { name in
            try api.deleteObject(of: type, namespace: ns.namespace, name: name, propagationPolicy: policy)
            writeOut("\(ObjectPrinter.qualifiedKind(type)) \"\(name)\" deleted\n")
        }
    }

    /// Like kubectl: returns once the pod (this UID) no longer exists.
    func waitUntilGone(_ api: SwiftletAPIClient, _ namespace: String, _ name: String, uid: String?) {
        while let pod = try? api.getPod(namespace: namespace, name: name), pod.metadata.uid == uid {
            usleep(100_000)
        }
    }
}
