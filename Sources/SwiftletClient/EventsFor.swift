import SwiftletKube

/// `kubectl events --for KIND/NAME`: the field selector on the events list (and watch) that keeps
/// the events about one object, `involvedObject.kind=<Kind>,involvedObject.name=<name>`, as
/// kubectl builds it from its REST mapper. The namespace is the list's.
public enum EventsFor {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The selector for `resource/name`; `resource` is a plural, singular or short name.
    public static func fieldSelector(_ reference: String) throws(Invalid) -> String {
        guard let slash = reference.firstIndex(of: "/") else {
            throw Invalid(description: "--for must be in resource/name form")
        }
        let resource = String(reference[..<slash])
        let name = String(reference[reference.index(after: slash)...])
        guard !resource.isEmpty, !name.isEmpty, !name.contains("/") else {
            throw Invalid(description: "--for must be in resource/name form")
        }
        guard let kind = kind(of: resource) else {
            throw Invalid(description: "the server doesn't have a resource type \"\(resource)\"")
        }
        return "involvedObject.kind=\(kind),involvedObject.name=\(name)"
    }

    /// The kind a resource name stands for: pods and nodes (not stored objects) or a stored kind.
    static func kind(of resource: String) -> String? {
        switch resource.lowercased() {
        case "pods", "pod", "po": return "Pod"
        case "nodes", "node", "no": return "Node"
        default: return ObjectPrinter.type(named: resource)?.kind
        }
    }
}
