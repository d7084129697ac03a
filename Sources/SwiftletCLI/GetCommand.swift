import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube

/// `swiftlet get pods|events|manifests|<stored kind> [NAME]`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Display pods, events, manifest files, deployments, replicasets and the other stored kinds.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "pods (pod, po), events (ev), manifests, deployments (deploy), replicasets (rs), daemonsets (ds), configmaps (cm), secrets, ...")
    var resource: String
    @Argument(help: "An object name.") var name: String?
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    var allNamespaces = false
    @Option(name: [.short, .customLong("output")], help: "json, yaml, wide or name.") var output: OutputFormat?
    @Option(name: [.customShort("l"), .customLong("selector")], help: "Label selector, e.g. app=web,tier!=db.") var selector: String?
    @Option(name: .customLong("field-selector"), help: "Field selector, e.g. status.phase=Running.") var fieldSelector: String?
    @Flag(name: [.short, .customLong("watch")], help: "After listing, watch for changes.") var watch = false
    @Flag(name: .customLong("no-headers"), help: "Omit the table header.") var noHeaders = false
    @Option(name: .customLong("for"), help: "Events only: those about one object, e.g. pod/web (kubectl events --for).")
    var forObject: String?

    func run() async throws {
        try reportingErrors {
            if forObject != nil, !["events", "event", "ev"].contains(resource.lowercased()) {
                throw CLIUsageError("--for applies to events only")
            }
            switch resource.lowercased() {
            case "pods", "pod", "po": try getPods()
            case "events", "event", "ev": try getEvents()
            case "manifests", "manifest": try getManifests()
            default:
                guard let type = ObjectPrinter.type(named: resource) else {
                    throw CLIUsageError("the server doesn't have a resource type \"\(resource)\"")
                }
                try getObjects(type)
            }
        }
    }

    private var namespace: String? { allNamespaces ? nil : ns.namespace }

    /// `--field-selector` and `--for` together (events).
    private func eventFieldSelector() throws -> String? {
        guard let forObject else { return fieldSelector }
        let byObject: String
        do { byObject = try EventsFor.fieldSelector(forObject) } catch { throw CLIUsageError(error.description) }
        return fieldSelector.map { $0 + "," + byObject } ?? byObject
    }

    private func getPods() throws {
        let api = client.client
        if watch { return try watchPods(api) }
        if let name {
            let pod = try api.getPod(namespace: ns.namespace, name: name)
            try printPods([pod], single: pod)
            return
        }
        let list = try api.listPods(namespace: namespace, labelSelector: selector, fieldSelector: fieldSelector)
        if list.items.isEmpty, output == nil || output == .wide {
            printError(allNamespaces ? "No resources found" : "No resources found in \(ns.namespace) namespace.")
            return
        }
        try printPods(list.items, single: nil, list: list)
    }

    private func printPods(_ pods: [Pod], single: Pod?, list: PodList? = nil) throws {
        switch output {
        case .json: writeOut(try single.map(ObjectOutput.json) ?? ObjectOutput.json(list ?? PodList(items: pods)))
        case .yaml: writeOut(try single.map(ObjectOutput.yaml) ?? ObjectOutput.yaml(list ?? PodList(items: pods)))
        case .name: writeOut(pods.map { "pod/\($0.name)\n" }.joined())
        case .wide, nil:
            writeOut(PodPrinter.table(
                pods, now: Date(), wide: output == .wide, withNamespace: allNamespaces && single == nil,
                headers: !noHeaders))
        }
    }

    private func watchPods(_ api: SwiftletAPIClient) throws {
        var fieldSelector = self.fieldSelector
        if let name {
            let byName = "metadata.name=\(name)"
            fieldSelector = fieldSelector.map { $0 + "," + byName } ?? byName
        }
        var first = true
        try api.watchPods(namespace: namespace, labelSelector: selector, fieldSelector: fieldSelector) { event in
            do {
                switch output {
                case .json: writeOut(try ObjectOutput.json(event.object))
                case .yaml: writeOut("---\n" + (try ObjectOutput.yaml(event.object)))
                case .name: writeOut("pod/\(event.object.name)\n")
                case .wide, nil:
                    writeOut(PodPrinter.table(
                        [event.object], now: Date(), wide: output == .wide, withNamespace: allNamespaces,
                        headers: first && !noHeaders))
                }
            } catch {
                printError("error: \(error)")
                return false
            }
            first = false
            return true
        }
    }

    private func getEvents() throws {
        if watch { return try watchEvents() }
        let list = try client.client.listEvents(namespace: namespace, fieldSelector: try eventFieldSelector())
        switch output {
        case .json: writeOut(try ObjectOutput.json(list))
        case .yaml: writeOut(try ObjectOutput.yaml(list))
        case .name: writeOut(list.items.map { "event/\($0.metadata.name ?? "")\n" }.joined())
        case .wide, nil:
            if list.items.isEmpty {
                printError(allNamespaces ? "No resources found" : "No resources found in \(ns.namespace) namespace.")
                return
            }
            writeOut(EventPrinter.table(list.items, now: Date(), withNamespace: allNamespaces, headers: !noHeaders))
        }
    }

    /// `kubectl get events -w`: the kept events, then one row per change. Rows of a deleted
    /// (expired or evicted) event are not printed, as kubectl prints none for a plain table.
    private func watchEvents() throws {
        var first = true
        try client.client.watchEvents(namespace: namespace, fieldSelector: try eventFieldSelector()) { change in
            if change.type == "DELETED" { return true }
            do {
                switch output {
                case .json: writeOut(try ObjectOutput.json(change.object))
                case .yaml: writeOut("---\n" + (try ObjectOutput.yaml(change.object)))
                case .name: writeOut("event/\(change.object.metadata.name ?? "")\n")
                case .wide, nil:
                    writeOut(EventPrinter.table(
                        [change.object], now: Date(), withNamespace: allNamespaces, headers: first && !noHeaders))
                }
            } catch {
                printError("error: \(error)")
                return false
            }
            first = false
            return true
        }
    }

    private func getManifests() throws {
        let list = try client.client.manifests()
        switch output {
        case .json: writeOut(try ObjectOutput.json(list))
        case .yaml: writeOut(try ObjectOutput.yaml(list))
        case .name: writeOut(list.items.map { "manifest/\($0.path)\n" }.joined())
        case .wide, nil:
            if list.items.isEmpty {
                printError("No resources found")
                return
            }
            writeOut(ManifestPrinter.table(list.items, now: Date()))
        }
    }
}

/// `swiftlet describe pod NAME`.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show details of a pod or of the node.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "pod or node") var resource: String
    @Argument(help: "The pod (or node) name.") var name: String?

    func run() async throws {
        try reportingErrors {
            let api = client.client
            if ["node", "nodes", "no"].contains(resource.lowercased()) {
                let nodes = try api.nodes().items.filter { name == nil || $0.metadata.name == name }
                guard let node = nodes.first else {
                    throw APIStatusError(status: .failure(404, reason: "NotFound", message: "nodes \"\(name ?? "")\" not found"))
                }
                let pods = try api.listPods(namespace: nil).items
                writeOut(NodeDescriber.describe(node, pods: pods, now: Date()))
                return
            }
            guard ["pod", "pods", "po"].contains(resource.lowercased()) else {
                throw CLIUsageError("the server doesn't have a resource type \"\(resource)\"")
            }
            guard let name else { throw CLIUsageError("a pod name is required") }
            let pod = try api.getPod(namespace: ns.namespace, name: name)
            // Events are best effort, as in kubectl: a pod is still described without them.
            let events = (try? api.listEvents(
                namespace: ns.namespace, fieldSelector: "involvedObject.kind=Pod,involvedObject.name=\(name)"))?.items ?? []
            writeOut(PodDescriber(now: Date()).describe(pod, events: events))
        }
    }
}
