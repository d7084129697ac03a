import Foundation
import Logging
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// Kubernetes events, kept in memory like an API server's event store and correlated like
/// client-go's `EventCorrelator` (`EventCorrelator` in SwiftletLifecycle): similar events that
/// differ only in message are combined into one "(combined from similar events): …" event once ten
/// distinct messages were seen within ten minutes, and an occurrence with the same key (source,
/// involved object, type, reason, message — `getEventKey`) bumps `count` and `lastTimestamp` of the
/// event recorded first instead of adding a row. At most `capacity` events are kept; beyond it the
/// one updated least recently is dropped (counted in `swiftlet_events_evicted_total`), and events
/// not updated for `timeToLive` (the API server's `--event-ttl`, 1 h) expire, as they do in etcd.
public actor EventRecorder {
    typealias Key = EventCorrelator.Key

    struct Entry {
        var event: Event
        /// Monotonic order of the last update, for least-recently-updated eviction.
        var touched: UInt64
    }

    var entries: [Key: Entry] = [:]
    var correlator = EventCorrelator()
    private var watchers: [UInt64: AsyncStream<EventWatchEvent>.Continuation] = [:]
    var clock: UInt64 = 0
    var resourceVersion: UInt64 = 0
    private let nodeName: String
    let capacity: Int
    let timeToLive: TimeInterval
    private let metrics: AgentMetrics?
    public private(set) var evicted = 0

    // Persistence (EventRecorder+Persistence.swift).
    let file: EventStoreFile?
    let logger: Logger?
    /// How long a change waits before the file is rewritten, so a burst of events is one write.
    let writeDelay: Duration
    /// Changes not yet in the file.
    var unsaved = false
    var writeScheduled = false
    /// The last write failed (full disk, ...): reported once, retried until it works.
    public internal(set) var writeFailing = false

    public init(
        nodeName: String, capacity: Int = 1000, timeToLive: TimeInterval = 3600, metrics: AgentMetrics? = nil,
        file path: String? = nil, writeDelay: Duration = .seconds(1), logger: Logger? = nil
    ) {
        self.nodeName = nodeName
        self.capacity = max(1, capacity)
        self.timeToLive = timeToLive
        self.metrics = metrics
        self.file = path.map { EventStoreFile(path: $0) }
        self.writeDelay = writeDelay
        self.logger = logger
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
        let outcome = correlator.correlate(
            source: source, object: object, type: type, reason: reason, message: message, now: now.date)
        let key = outcome.key
        let message = outcome.message
        clock += 1
        resourceVersion += 1
        if var entry = entries[key] {
            entry.event.count += 1
            entry.event.lastTimestamp = now
            // A combined event shows the latest of the messages it stands for (client-go patches it).
            entry.event.message = message
            entry.event.metadata.resourceVersion = String(resourceVersion)
            entry.touched = clock
            entries[key] = entry
            broadcast(EventWatchEvent(type: WatchEvent.modified, object: entry.event))
            changed()
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
        changed()
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

    func evictLeastRecentlyUpdated() {
        guard let oldest = entries.min(by: { $0.value.touched < $1.value.touched }) else { return }
        remove(oldest.key)
        evicted += 1
        metrics?.eventsEvicted()
    }

    func expire(now: KubeTime) {
        let cutoff = now.date.addingTimeInterval(-timeToLive)
        for (key, entry) in entries where entry.event.lastTimestamp.date < cutoff { remove(key) }
    }

    private func remove(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        broadcast(EventWatchEvent(type: WatchEvent.deleted, object: entry.event))
        changed()
    }
}
