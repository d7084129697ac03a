import Foundation
import SwiftletKube
import SwiftletServer

/// Kubernetes events, kept in memory like an API server's event store and de-duplicated like
/// client-go's `EventCorrelator`: an event with the same key (source, involved object, type,
/// reason, message — `getEventKey`) bumps `count` and `lastTimestamp` of the one recorded first
/// instead of adding a row. At most `capacity` events are kept; beyond it the one updated least
/// recently is dropped (counted in `swiftlet_events_evicted_total`), and events not updated for
/// `timeToLive` (the API server's `--event-ttl`, 1 h) expire, as they do in etcd.
public actor EventRecorder {
    /// client-go's `getEventKey`: every field that makes two events "the same".
    struct Key: Hashable {
        var component: String
        var host: String
        var kind: String
        var namespace: String
        var name: String
        var uid: String
        var apiVersion: String
        var fieldPath: String
        var type: String
        var reason: String
        var message: String
    }

    private struct Entry {
        var event: Event
        /// Monotonic order of the last update, for least-recently-updated eviction.
        var touched: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var watchers: [UInt64: AsyncStream<EventWatchEvent>.Continuation] = [:]
    private var clock: UInt64 = 0
    private var resourceVersion: UInt64 = 0
    private let nodeName: String
    private let capacity: Int
    private let timeToLive: TimeInterval
    private let metrics: AgentMetrics?
    public private(set) var evicted = 0

    public init(nodeName: String, capacity: Int = 1000, timeToLive: TimeInterval = 3600, metrics: AgentMetrics? = nil) {
        self.nodeName = nodeName
        self.capacity = max(1, capacity)
        self.timeToLive = timeToLive
        self.metrics = metrics
    }

    /// The kubelet's events about a pod (`fieldPath` names a container: `spec.containers{web}`).
    public func record(
        _ pod: Pod, type: String = "Normal", reason: String, message: String, fieldPath: String? = nil,
        component: String = "swiftlet"
    ) {
        record(
            about: ObjectReference(
                kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.metadata.uid, fieldPath: fieldPath),
            type: type, reason: reason, message: message, component: component)
    }

    /// An event about any object, from `component` (the kubelet's is `swiftlet`; the controllers
    /// use the names kube-controller-manager gives its recorders, e.g. `replicaset-controller`).
    public func record(
        about object: ObjectReference, type: String = "Normal", reason: String, message: String,
        component: String = "swiftlet", now: KubeTime = .now()
    ) {
        expire(now: now)
        let source = EventSource(component: component, host: nodeName)
        let key = Key(
            component: component, host: nodeName, kind: object.kind ?? "", namespace: object.namespace ?? "",
            name: object.name ?? "", uid: object.uid ?? "", apiVersion: object.apiVersion ?? "",
            fieldPath: object.fieldPath ?? "", type: type, reason: reason, message: message)
        clock += 1
        resourceVersion += 1
        if var entry = entries[key] {
            entry.event.count += 1
            entry.event.lastTimestamp = now
            entry.event.metadata.resourceVersion = String(resourceVersion)
            entry.touched = clock
            entries[key] = entry
            broadcast(EventWatchEvent(type: WatchEvent.modified, object: entry.event))
            return
        }
        // client-go names an event `<object>.<hex unix nanoseconds>`; the sequence keeps two
        // events recorded in the same nanosecond apart.
        let nanos = UInt64(max(0, now.date.timeIntervalSince1970) * 1e9) &+ clock
        let name = "\(object.name ?? "").\(String(nanos, radix: 16))"
        var meta = ObjectMeta(
            name: name, namespace: object.namespace ?? "default", uid: UUID().uuidString.lowercased())
        meta.creationTimestamp = now
        meta.resourceVersion = String(resourceVersion)
        let event = Event(
            metadata: meta, involvedObject: object, reason: reason, message: message, type: type, count: 1,
            firstTimestamp: now, lastTimestamp: now, source: source)
        entries[key] = Entry(event: event, touched: clock)
        broadcast(EventWatchEvent(type: WatchEvent.added, object: event))
        if entries.count > capacity { evictLeastRecentlyUpdated() }
    }

    /// Events oldest first (by first occurrence), all or of one namespace.
    public func list(namespace: String?, now: KubeTime = .now()) -> [Event] {
        expire(now: now)
        return entries.values
            .filter { namespace == nil || $0.event.metadata.namespace == namespace }
            .sorted { ($0.event.firstTimestamp, $0.touched) < ($1.event.firstTimestamp, $1.touched) }
            .map(\.event)
    }

    /// `ADDED` for every event kept now, then every change (`MODIFIED` when a repeat bumps the
    /// count, `DELETED` when one is evicted or expires) until the consumer stops iterating.
    public func watch() -> AsyncStream<EventWatchEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: EventWatchEvent.self, bufferingPolicy: .bufferingNewest(4096))
        for event in list(namespace: nil) { continuation.yield(EventWatchEvent(type: WatchEvent.added, object: event)) }
        clock += 1
        let id = clock
        watchers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.stopWatching(id) }
        }
        return stream
    }

    private func stopWatching(_ id: UInt64) { watchers[id] = nil }

    private func broadcast(_ change: EventWatchEvent) {
        for continuation in watchers.values { continuation.yield(change) }
    }

    private func evictLeastRecentlyUpdated() {
        guard let oldest = entries.min(by: { $0.value.touched < $1.value.touched }) else { return }
        remove(oldest.key)
        evicted += 1
        metrics?.eventsEvicted()
    }

    private func expire(now: KubeTime) {
        let cutoff = now.date.addingTimeInterval(-timeToLive)
        for (key, entry) in entries where entry.event.lastTimestamp.date < cutoff { remove(key) }
    }

    private func remove(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        broadcast(EventWatchEvent(type: WatchEvent.deleted, object: entry.event))
    }
}
