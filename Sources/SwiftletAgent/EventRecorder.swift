import Foundation
import SwiftletKube

/// Kubernetes events about pods, kept in memory (newest 1000), deduplicated like the
/// client-go event correlator: the same object, reason and message bump `count`.
public actor EventRecorder {
    private var events: [Event] = []
    private let nodeName: String
    private let limit = 1000
    private var sequence = 0

    public init(nodeName: String) { self.nodeName = nodeName }

    public func record(_ pod: Pod, type: String = "Normal", reason: String, message: String, fieldPath: String? = nil) {
        let now = KubeTime.now()
        if let i = events.lastIndex(where: {
            $0.involvedObject.uid == pod.metadata.uid && $0.reason == reason && $0.message == message
                && $0.involvedObject.fieldPath == fieldPath
        }) {
            events[i].count += 1
            events[i].lastTimestamp = now
            return
        }
        sequence += 1
        let name = "\(pod.name).\(String(UInt64(now.date.timeIntervalSince1970 * 1e9), radix: 16)).\(sequence)"
        var meta = ObjectMeta(name: name, namespace: pod.namespace, uid: UUID().uuidString.lowercased())
        meta.creationTimestamp = now
        let event = Event(
            metadata: meta,
            involvedObject: ObjectReference(
                kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.metadata.uid, fieldPath: fieldPath),
            reason: reason, message: message, type: type, count: 1, firstTimestamp: now, lastTimestamp: now,
            source: EventSource(component: "swiftlet", host: nodeName))
        events.append(event)
        if events.count > limit { events.removeFirst(events.count - limit) }
    }

    public func list(namespace: String?) -> [Event] {
        guard let namespace else { return events }
        return events.filter { $0.metadata.namespace == namespace }
    }
}
