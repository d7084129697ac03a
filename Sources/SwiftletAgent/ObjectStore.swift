import Foundation
import SwiftletKube
import SwiftletLifecycle

/// The stored kinds (ConfigMaps, Secrets, ...) from manifest files and the API, keyed by
/// `resource/namespace/name`. Owned by the `Agent` actor. A key is defined by one source at a
/// time: a manifest file's object cannot be changed through the API, and an API object hides
/// nothing a file defines (the file wins at load, the API refuses to create over a file's key).
struct ObjectStore {
    enum Source: Hashable {
        case file(String)
        case api
    }

    struct Entry {
        var object: AnyKubeObject
        var source: Source
    }

    private(set) var entries: [String: Entry] = [:]

    static func key(resource: String, namespace: String, name: String) -> String { "\(resource)/\(namespace)/\(name)" }
    static func key(_ object: AnyKubeObject) -> String {
        key(resource: object.resource, namespace: object.value.namespace, name: object.value.name)
    }

    func get(resource: String, namespace: String, name: String) -> Entry? {
        entries[Self.key(resource: resource, namespace: namespace, name: name)]
    }

    func list(resource: String, namespace: String?) -> [AnyKubeObject] {
        entries.values.map(\.object).filter {
            $0.resource == resource && (namespace == nil || $0.value.namespace == namespace)
        }
    }

    /// Stores the object with server-set metadata (uid and creation time kept across updates,
    /// resourceVersion from the agent's counter). Returns the stored object, and whether anything changed.
    mutating func put(_ object: AnyKubeObject, source: Source, resourceVersion: Int) -> (stored: AnyKubeObject, changed: Bool) {
        let key = Self.key(object)
        let old = entries[key]
        var value = object.value
        value.metadata.uid = old?.object.metadata.uid ?? value.metadata.uid ?? UUID().uuidString.lowercased()
        value.metadata.creationTimestamp = old?.object.metadata.creationTimestamp ?? value.metadata.creationTimestamp ?? KubeTime.now()
        value.metadata.resourceVersion = old?.object.metadata.resourceVersion
        value.metadata.generation = Self.generation(of: value, old: old?.object.value)
        if let old, old.source == source, AnyKubeObject(value) == old.object { return (old.object, false) }
        value.metadata.resourceVersion = String(resourceVersion)
        let stored = AnyKubeObject(value)
        entries[key] = Entry(object: stored, source: source)
        return (stored, true)
    }

    /// `metadata.generation` as the API server keeps it for kinds with a spec: 1 on creation, +1
    /// on every change of the spec (not of metadata or status), which controllers' status
    /// `observedGeneration` answers. Kinds without a spec (ConfigMaps, Secrets) have none.
    static func generation(of value: any KubeObject, old: (any KubeObject)?) -> Int64? {
        func spec(_ object: any KubeObject) -> NSObject? {
            guard let data = try? KubeJSON.encode(object),
                let tree = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return tree["spec"] as? NSObject
        }
        guard let newSpec = spec(value) else { return nil }
        guard let old else { return value.metadata.generation ?? 1 }
        let previous = old.metadata.generation ?? 1
        return spec(old).map { $0.isEqual(newSpec) } == true ? previous : previous + 1
    }

    mutating func remove(key: String) -> Entry? { entries.removeValue(forKey: key) }

    /// The ConfigMaps and Secrets of a namespace, for env and volume resolution.
    func configObjects(namespace: String) -> ConfigObjects {
        var objects = ConfigObjects()
        for entry in entries.values where entry.object.value.namespace == namespace {
            if let cm = entry.object.value as? ConfigMap { objects.configMaps[cm.name] = cm }
            if let secret = entry.object.value as? Secret { objects.secrets[secret.name] = secret }
        }
        return objects
    }
}

/// API-created objects under `<state>/apiobjects/<resource>/<namespace>_<name>.json`, so they survive a restart.
struct APIObjectStore: Sendable {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(resource: String, namespace: String, name: String) -> String {
        "\(directory)/\(resource)/\(namespace)_\(name).json"
    }

    func save(_ object: AnyKubeObject) throws {
        let path = path(resource: object.resource, namespace: object.value.namespace, name: object.value.name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let data = try KubeJSON.encode(object.value)
        // Secrets are as sensitive here as in their manifest files.
        guard FileManager.default.createFile(atPath: path + ".tmp", contents: data, attributes: [.posixPermissions: 0o600]),
            rename(path + ".tmp", path) == 0
        else { throw CocoaError(.fileWriteUnknown) }
    }

    func remove(resource: String, namespace: String, name: String) {
        try? FileManager.default.removeItem(atPath: path(resource: resource, namespace: namespace, name: name))
    }

    func load(resource: String, namespace: String, name: String) -> (any KubeObject)? {
        guard let type = KubeObjectKinds.type(resource: resource),
            let data = FileManager.default.contents(atPath: path(resource: resource, namespace: namespace, name: name))
        else { return nil }
        return try? KubeObjectDecoder.decode(type, json: data)
    }

    func load() -> [AnyKubeObject] {
        var out: [AnyKubeObject] = []
        for type in KubeObjectKinds.all {
            let dir = "\(directory)/\(type.resource)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where name.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: dir + "/" + name),
                    let object = try? KubeObjectDecoder.decode(type, json: data)
                else { continue }
                out.append(AnyKubeObject(object))
            }
        }
        return out
    }
}
