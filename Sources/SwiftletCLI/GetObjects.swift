import Foundation
import SwiftletClient
import SwiftletKube

/// `swiftlet get deployments|rs|ds|configmaps|…`: every stored kind of `KubeObjectKinds`, with
/// kubectl's columns where the kind has them (`TablePrintable`), NAME and AGE otherwise.
extension GetCommand {
    func getObjects(_ type: any KubeObject.Type) throws {
        let api = client.client
        if watch { throw CLIUsageError("--watch is supported for pods only") }
        var objects: [any KubeObject]
        if let name {
            objects = [try api.getObject(of: type, namespace: ns.namespace, name: name)]
        } else {
            let filter = try selector.map { try LabelSelector(parsing: $0) }
            objects = try api.listObjects(of: type, namespace: allNamespaces ? nil : ns.namespace)
                .filter { filter?.matches($0.metadata.labels) ?? true }
                .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        }
        switch output {
        case .json:
            writeOut(try name != nil ? ObjectOutput.json(objects[0]) : ObjectOutput.json(AnyObjectList(type: type, items: objects)))
        case .yaml:
            writeOut(try name != nil ? ObjectOutput.yaml(objects[0]) : ObjectOutput.yaml(AnyObjectList(type: type, items: objects)))
        case .name:
            writeOut(objects.map { "\(ObjectPrinter.qualifiedKind(type))/\($0.name)\n" }.joined())
        case .wide, nil:
            if objects.isEmpty {
                printError(allNamespaces ? "No resources found" : "No resources found in \(ns.namespace) namespace.")
                return
            }
            writeOut(ObjectPrinter.table(objects, now: Date(), withNamespace: allNamespaces && name == nil, headers: !noHeaders))
        }
    }
}

/// `{"apiVersion":…,"kind":"DeploymentList","items":[…]}` for `-o json|yaml`.
struct AnyObjectList: Encodable {
    var type: any KubeObject.Type
    var items: [any KubeObject]

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }
    struct Empty: Encodable {}

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type.apiVersion, forKey: .apiVersion)
        try c.encode(type.kind + "List", forKey: .kind)
        try c.encode(Empty(), forKey: .metadata)
        var list = c.nestedUnkeyedContainer(forKey: .items)
        for item in items { try list.encode(item) }
    }
}
