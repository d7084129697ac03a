import Foundation
import SwiftletKube
import Synchronization

/// Each pod's compact JSON, encoded once per resourceVersion and shared by every list and watch.
///
/// Foundation's `JSONEncoder` costs ~0.3 ms per pod in a release build (a profile of repeated
/// `GET /api/v1/pods` spent 71 % of the agent's CPU in it), and every list re-encoded every pod and
/// every watcher re-encoded every event. The agent gives each published version of a pod a new
/// resourceVersion, so (uid, resourceVersion) names one exact byte string: a list is the cached
/// pods spliced into the list envelope, a watch line is the cached pod spliced into the event
/// envelope, byte-identical to encoding the `PodList` or `WatchEvent` whole.
///
/// Entries are dropped when a list shows their pod gone and when a watch reports it DELETED, so the
/// cache holds about one entry per live pod.
final class PodJSONCache: Sendable {
    private struct Entry {
        var namespace: String
        var resourceVersion: String
        var json: [UInt8]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// `{"apiVersion":"v1","items":[` and `],"kind":"PodList","metadata":{}}`, taken from the encoder
    /// itself so that the spliced list stays what `KubeJSON.encode(PodList)` writes.
    private let listHead: [UInt8]
    private let listTail: [UInt8]

    init() {
        let empty = (try? KubeJSON.encode(PodList(items: []))).map { [UInt8]($0) } ?? []
        let marker = Array(#""items":[]"#.utf8)
        if let at = empty.firstRange(of: marker) {
            listHead = Array(empty[..<(at.upperBound - 1)])
            listTail = Array(empty[(at.upperBound - 1)...])
        } else {
            // Not reachable with Foundation's sorted-key encoder; lists then fall back to whole encoding.
            listHead = []
            listTail = []
        }
    }

    var count: Int { entries.withLock { $0.count } }

    /// The pod's JSON: cached when the pod has a uid and a resourceVersion (a published pod),
    /// otherwise encoded each time.
    func json(_ pod: Pod, store: Bool = true) throws -> [UInt8] {
        guard let uid = pod.metadata.uid, !uid.isEmpty, let version = pod.metadata.resourceVersion, !version.isEmpty else {
            return [UInt8](try KubeJSON.encode(pod))
        }
        if let hit = entries.withLock({ $0[uid] }), hit.resourceVersion == version { return hit.json }
        // Encoded outside the lock: concurrent requests for other pods do not wait on it.
        let json = [UInt8](try KubeJSON.encode(pod))
        if store {
            entries.withLock { $0[uid] = Entry(namespace: pod.namespace, resourceVersion: version, json: json) }
        }
        return json
    }

    /// The `PodList` of `items`, byte-identical to `KubeJSON.encode(PodList(items: items))`.
    func list(_ items: [Pod]) throws -> [UInt8] {
        guard !listHead.isEmpty else { return [UInt8](try KubeJSON.encode(PodList(items: items))) }
        var parts: [[UInt8]] = []
        parts.reserveCapacity(items.count)
        for pod in items { parts.append(try json(pod)) }
        var out = [UInt8]()
        out.reserveCapacity(listHead.count + listTail.count + parts.reduce(parts.count) { $0 + $1.count })
        out += listHead
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += part
        }
        out += listTail
        return out
    }

    /// One watch event, byte-identical to `KubeJSON.encode(WatchEvent(type:object:))`: the keys
    /// sorted, `object` before `type`.
    func watchEvent(type: String, object pod: Pod) throws -> [UInt8] {
        let deleted = type == WatchEvent.deleted
        // A DELETED pod's last version is never listed again: each watcher encodes it, nothing keeps it.
        let object = try json(pod, store: !deleted)
        if deleted, let uid = pod.metadata.uid { forget(uid: uid) }
        var out = [UInt8]()
        out.reserveCapacity(object.count + 32)
        out += Array(#"{"object":"#.utf8)
        out += object
        out += Array(#","type":"#.utf8)
        out += [UInt8](try KubeJSON.encode(type))
        out.append(UInt8(ascii: "}"))
        return out
    }

    func forget(uid: String) {
        _ = entries.withLock { $0.removeValue(forKey: uid) }
    }

    /// Drops the entries of pods that are no longer there: `live` is every pod the backend has in
    /// `namespace` (nil: all namespaces).
    func retain(live: [Pod], namespace: String?) {
        let uids = Set(live.compactMap(\.metadata.uid))
        entries.withLock { entries in
            let stale = entries.filter { uid, entry in
                (namespace == nil || entry.namespace == namespace) && !uids.contains(uid)
            }
            for uid in stale.keys { entries[uid] = nil }
        }
    }
}
