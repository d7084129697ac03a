import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletManifests
import SwiftletServer

/// ConfigMaps, Secrets and any other kind of `KubeObjectKinds`: kept in the `ObjectStore`, served
/// by the API, watched, and pushed to the pod workers (a change wakes every pod of the namespace
/// at once, so a pod waiting for a missing object starts without waiting out a back-off).
extension Agent {
    func loadAPIObjects() {
        for object in apiObjects.load() {
            switch KubeObjectDecoder.validated(object.value) {
            case .success(let valid): storeObject(valid, source: .api)
            case .failure(let errors): logger.error("stored \(object.kind) \(object.key) is invalid: \(errors)")
            }
        }
    }

    /// Makes the store's file-defined objects what the manifest directory now says.
    func applyFileObjects(_ desired: [(path: String, object: AnyKubeObject)]) {
        let wanted = Dictionary(desired.map { (ObjectStore.key($0.object), $0) }, uniquingKeysWith: { a, _ in a })
        for (key, entry) in objects.entries {
            guard case .file = entry.source, wanted[key] == nil else { continue }
            if let gone = objects.remove(key: key) {
                fileObjectStatus.remove(resource: gone.object.resource, namespace: gone.object.value.namespace, name: gone.object.value.name)
                objectRemoved(gone.object)
            }
        }
        for (key, claim) in wanted {
            if let existing = objects.entries[key], existing.source == .api {
                logger.warning("\(claim.path): \(claim.object.kind) \(claim.object.key) also exists through the API; the file wins")
                apiObjects.remove(resource: claim.object.resource, namespace: claim.object.value.namespace, name: claim.object.value.name)
            }
            var value = claim.object.value
            if value.metadata.uid == nil {
                value.metadata.uid = manifestObjectUID(
                    kind: claim.object.kind, namespace: value.namespace, name: value.name, filePath: claim.path)
                // Defaults that need the uid (a Job's generated selector).
                value.applyDefaults()
            }
            if let existing = objects.entries[key] {
                value = value.preservingStatus(of: existing.object.value)
            } else if let saved = fileObjectStatus.load(resource: claim.object.resource, namespace: value.namespace, name: value.name),
                saved.metadata.uid == value.metadata.uid
            {
                // The status a controller wrote before a restart.
                value = value.preservingStatus(of: saved)
            }
            storeObject(AnyKubeObject(value), source: .file(claim.path))
        }
    }

    @discardableResult
    func storeObject(_ object: AnyKubeObject, source: ObjectStore.Source) -> AnyKubeObject {
        let isNew = objects.entries[ObjectStore.key(object)] == nil
        let (stored, changed) = objects.put(object, source: source, resourceVersion: resourceVersion + 1)
        guard changed else { return stored }
        resourceVersion += 1
        broadcastObject(ObjectWatchEvent(type: isNew ? WatchEvent.added : WatchEvent.modified, object: stored))
        configChanged(namespace: stored.value.namespace)
        return stored
    }

    func objectRemoved(_ object: AnyKubeObject) {
        resourceVersion += 1
        var value = object.value
        value.metadata.resourceVersion = String(resourceVersion)
        broadcastObject(ObjectWatchEvent(type: WatchEvent.deleted, object: AnyKubeObject(value)))
        configChanged(namespace: object.value.namespace)
    }

    func broadcastObject(_ event: ObjectWatchEvent) {
        for watcher in objectWatchers.values where watcher.resource == event.object.resource {
            watcher.continuation.yield(event)
        }
        scheduleControllers()
    }

    /// Wakes every pod of the namespace: env of pods not yet started, volumes of running ones.
    func configChanged(namespace: String) {
        for (uid, worker) in workers where published[uid]?.namespace == namespace {
            Task { await worker.configChanged() }
        }
    }

    func configObjects(namespace: String) -> ConfigObjects {
        objects.configObjects(namespace: namespace)
    }

    // MARK: API

    public func listObjects(resource: String, namespace: String?) async throws -> [AnyKubeObject] {
        objects.list(resource: resource, namespace: namespace)
    }

    public func getObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject {
        guard let entry = objects.get(resource: resource, namespace: namespace, name: name) else {
            throw APIError.notFound(resource, name: name)
        }
        return entry.object
    }

    public func createObject(_ object: AnyKubeObject) async throws -> AnyKubeObject {
        var value = object.value
        if value.metadata.name?.isEmpty ?? true, let prefix = value.metadata.generateName {
            value.metadata.name = prefix + String(UUID().uuidString.lowercased().prefix(5))
        }
        // The uid is assigned before defaulting and validation, as the API server does (a Job's
        // generated selector is made of it).
        value.metadata.uid = UUID().uuidString.lowercased()
        value.metadata.resourceVersion = nil
        value.metadata.creationTimestamp = nil
        value.metadata.generation = nil
        let valid: AnyKubeObject
        switch KubeObjectDecoder.validated(value) {
        case .success(let v): valid = v
        case .failure(let errors): throw APIError.invalid(object.kind, name: value.name, causes: errors.messages)
        }
        if objects.get(resource: valid.resource, namespace: valid.value.namespace, name: valid.value.name) != nil {
            throw APIError.alreadyExists(valid.resource, name: valid.value.name)
        }
        let stored = storeObject(valid, source: .api)
        do { try apiObjects.save(stored) } catch {
            _ = objects.remove(key: ObjectStore.key(stored))
            throw APIError.internalError("cannot persist \(stored.kind) \(stored.key): \(error)")
        }
        return stored
    }

    public func replaceObject(_ object: AnyKubeObject) async throws -> AnyKubeObject {
        var value = object.value
        guard let entry = objects.get(resource: object.resource, namespace: value.namespace, name: value.name) else {
            throw APIError.notFound(object.resource, name: value.name)
        }
        value.metadata.uid = entry.object.metadata.uid
        if case .file(let path) = entry.source {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "\(object.resource) \"\(value.name)\" is forbidden: defined by the manifest file \(path); edit the file instead")
        }
        if let rv = value.metadata.resourceVersion, !rv.isEmpty, rv != entry.object.metadata.resourceVersion {
            throw APIError.conflict(
                "Operation cannot be fulfilled on \(object.resource) \"\(value.name)\": the object has been modified; "
                    + "please apply your changes to the latest version and try again")
        }
        let valid: AnyKubeObject
        switch KubeObjectDecoder.validated(value) {
        case .success(let v): valid = v
        case .failure(let errors): throw APIError.invalid(object.kind, name: value.name, causes: errors.messages)
        }
        let updateErrors = KubeObjectDecoder.validateUpdate(valid.value, from: entry.object.value)
        if !updateErrors.isEmpty {
            throw APIError.invalid(object.kind, name: value.name, causes: updateErrors.map(\.description))
        }
        let stored = storeObject(AnyKubeObject(valid.value.preservingStatus(of: entry.object.value)), source: .api)
        try? apiObjects.save(stored)
        return stored
    }

    public func deleteObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject {
        let key = ObjectStore.key(resource: resource, namespace: namespace, name: name)
        guard let entry = objects.entries[key] else { throw APIError.notFound(resource, name: name) }
        if case .file(let path) = entry.source {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "\(resource) \"\(name)\" is forbidden: defined by the manifest file \(path); remove it from the file instead")
        }
        _ = objects.remove(key: key)
        apiObjects.remove(resource: resource, namespace: namespace, name: name)
        objectRemoved(entry.object)
        return entry.object
    }

    public func watchObjects(resource: String) async throws -> AsyncStream<ObjectWatchEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: ObjectWatchEvent.self, bufferingPolicy: .bufferingNewest(4096))
        for object in objects.list(resource: resource, namespace: nil).sorted(by: { $0.key < $1.key }) {
            continuation.yield(ObjectWatchEvent(type: WatchEvent.added, object: object))
        }
        objectWatchers[id] = (resource, continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObjectWatcher(id) }
        }
        return stream
    }

    func removeObjectWatcher(_ id: UUID) { objectWatchers[id] = nil }
}
