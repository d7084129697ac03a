import Foundation
import SwiftletKube

/// Which stored event a new occurrence lands on, as client-go's `EventCorrelator`
/// (`tools/record/events_cache.go`) decides before it creates or patches an event: the
/// aggregator first (similar events, differing only in message, are combined once ten distinct
/// messages were seen within a rolling ten minutes), then de-duplication by the full key.
///
/// The kubelet's correlator also applies `EventSourceObjectSpamFilter` (25 events per source and
/// object, then one per 5 minutes); swiftlet does not, see Docs/limits.md ("Events").
public struct EventCorrelator: Sendable {
    /// `defaultAggregateMaxEvents`: distinct messages per group before they are combined.
    public static let defaultMaxEvents = 10
    /// `defaultAggregateIntervalInSeconds`: a group is forgotten after this long without an event.
    public static let defaultMaxInterval: TimeInterval = 600
    /// `maxLruCacheEntries`: groups remembered at most.
    public static let defaultCacheSize = 4096
    /// `EventAggregatorByReasonMessageFunc`'s prefix of a combined event's message.
    public static let combinedPrefix = "(combined from similar events): "

    /// client-go's `getEventKey`: every field that makes two occurrences the same event.
    public struct EventKey: Hashable, Sendable {
        public var group: GroupKey
        public var fieldPath: String
        public var message: String
    }

    /// `EventAggregatorByReasonFunc`'s aggregate key: the source, the involved object without its
    /// fieldPath (so a reason repeated across containers is one group), the type and the reason.
    public struct GroupKey: Hashable, Sendable {
        public var component: String
        public var host: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String
        public var apiVersion: String
        public var type: String
        public var reason: String
    }

    /// The stored event an occurrence updates: its own (`exact`), or its group's combined one.
    public enum Key: Hashable, Sendable {
        case exact(EventKey)
        case combined(GroupKey)
    }

    public struct Outcome: Hashable, Sendable {
        public var key: Key
        /// The message to store: the occurrence's own, or prefixed for a combined event.
        public var message: String
    }

    /// `aggregateRecord`: the distinct messages seen in a group and when the group last had an event.
    struct Group: Hashable, Sendable {
        var messages: Set<String>
        var lastSeen: Date
    }

    private(set) var groups: [GroupKey: Group] = [:]
    public let maxEvents: Int
    public let maxInterval: TimeInterval
    public let cacheSize: Int

    public init(
        maxEvents: Int = defaultMaxEvents, maxInterval: TimeInterval = defaultMaxInterval,
        cacheSize: Int = defaultCacheSize
    ) {
        self.maxEvents = max(1, maxEvents)
        self.maxInterval = maxInterval
        self.cacheSize = max(1, cacheSize)
    }

    public static func groupKey(source: EventSource, object: ObjectReference, type: String, reason: String) -> GroupKey {
        GroupKey(
            component: source.component ?? "", host: source.host ?? "", kind: object.kind ?? "",
            namespace: object.namespace ?? "", name: object.name ?? "", uid: object.uid ?? "",
            apiVersion: object.apiVersion ?? "", type: type, reason: reason)
    }

    /// `EventAggregate`: records the occurrence in its group and says which event it updates.
    /// The group is reset when more than `maxInterval` passed since its last event; once it holds
    /// `maxEvents` distinct messages the occurrence goes to the combined event and its message
    /// leaves the set again (client-go's `PopAny` removes an arbitrary one; removing the new one
    /// is one of its outcomes and the deterministic choice: the messages seen before keep
    /// counting on their own events, every further new message lands on the combined one).
    public mutating func correlate(
        source: EventSource, object: ObjectReference, type: String, reason: String, message: String, now: Date
    ) -> Outcome {
        let group = Self.groupKey(source: source, object: object, type: type, reason: reason)
        var record = groups[group] ?? Group(messages: [], lastSeen: .distantPast)
        if now.timeIntervalSince(record.lastSeen) > maxInterval { record = Group(messages: [], lastSeen: now) }
        record.messages.insert(message)
        record.lastSeen = now
        let combine = record.messages.count >= maxEvents
        if combine { record.messages.remove(message) }
        remember(group, record, now: now)
        if combine { return Outcome(key: .combined(group), message: Self.combinedPrefix + message) }
        return Outcome(key: .exact(EventKey(group: group, fieldPath: object.fieldPath ?? "", message: message)), message: message)
    }

    /// The key a stored event was recorded under, so a restarted agent bumps the same events.
    public static func key(of event: Event, combined: Bool) -> Key {
        let group = groupKey(source: event.source, object: event.involvedObject, type: event.type, reason: event.reason)
        if combined { return .combined(group) }
        return .exact(EventKey(group: group, fieldPath: event.involvedObject.fieldPath ?? "", message: event.message))
    }

    /// Rebuilds the groups from stored events (after a restart), so aggregation goes on where it
    /// stopped instead of starting over: each event not older than `maxInterval` (by its last
    /// occurrence) puts its message in its group; a group stays below `maxEvents` messages, the
    /// state right after an aggregation.
    public mutating func restore(_ events: [(event: Event, combined: Bool)], now: Date) {
        for (event, combined) in events.sorted(by: { $0.event.lastTimestamp < $1.event.lastTimestamp }) {
            let last = event.lastTimestamp.date
            guard now.timeIntervalSince(last) <= maxInterval else { continue }
            let group = Self.groupKey(source: event.source, object: event.involvedObject, type: event.type, reason: event.reason)
            var record = groups[group] ?? Group(messages: [], lastSeen: last)
            if !combined, record.messages.count < maxEvents - 1 { record.messages.insert(event.message) }
            record.lastSeen = max(record.lastSeen, last)
            remember(group, record, now: now)
        }
    }

    /// Keeps at most `cacheSize` groups, as client-go's LRU does: groups idle for more than
    /// `maxInterval` would be reset anyway and go first, then the least recently used.
    private mutating func remember(_ group: GroupKey, _ record: Group, now: Date) {
        groups[group] = record
        guard groups.count > cacheSize else { return }
        groups = groups.filter { now.timeIntervalSince($0.value.lastSeen) <= maxInterval || $0.key == group }
        while groups.count > cacheSize, let oldest = groups.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
            groups[oldest.key] = nil
        }
    }
}
