import Foundation
@testable import SwiftletServer
import SwiftletKube
import XCTest

/// The cache must write exactly what encoding the whole `PodList` / `WatchEvent` writes, and never
/// serve an older version of a pod.
final class PodJSONCacheTests: XCTestCase {
    /// A pod with most kinds of fields: nested spec, status with conditions and container states,
    /// labels and annotations with characters JSON escapes (quotes, backslash, slash, non-ASCII).
    private func richPod(_ name: String, namespace: String = "default", uid: String?, version: String?) throws -> Pod {
        let json = """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"\(name)","namespace":"\(namespace)","labels":{"app":"web","tier":"front/end"},
               "annotations":{"note":"say \\"hi\\" \\\\ ünïcødé ✓","kubernetes.io/config.source":"file"}},
             "spec":{"restartPolicy":"Always","terminationGracePeriodSeconds":0,
               "initContainers":[{"name":"init","image":"busybox","command":["true"]}],
               "containers":[{"name":"app","image":"registry.example/busybox:1.36","command":["sh","-c","echo a && sleep 3600"],
                 "env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080,"protocol":"TCP"}],
                 "resources":{"limits":{"cpu":"500m","memory":"64Mi"},"requests":{"cpu":"100m"}},
                 "readinessProbe":{"exec":{"command":["true"]},"periodSeconds":5}}],
               "volumes":[{"name":"data","emptyDir":{}}]},
             "status":{"phase":"Running","podIP":"10.88.0.7","hostIP":"10.0.0.1","qosClass":"Burstable",
               "startTime":"2026-11-27T08:00:00Z",
               "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-27T08:00:01Z"}],
               "initContainerStatuses":[{"name":"init","ready":false,"restartCount":0,"image":"busybox","imageID":"",
                 "state":{"terminated":{"exitCode":0,"reason":"Completed","startedAt":"2026-11-27T08:00:00Z",
                   "finishedAt":"2026-11-27T08:00:00Z"}},"lastState":{}}],
               "containerStatuses":[{"name":"app","ready":true,"restartCount":2,"image":"busybox","imageID":"",
                 "started":true,"state":{"running":{"startedAt":"2026-11-27T08:00:01Z"}},
                 "lastState":{"terminated":{"exitCode":137,"reason":"Error","message":"killed"}}}]}}
            """
        var pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        pod.metadata.uid = uid
        pod.metadata.resourceVersion = version
        return pod
    }

    private func text(_ bytes: some Sequence<UInt8>) -> String { String(decoding: Array(bytes), as: UTF8.self) }

    func testListIsByteIdenticalToEncodingThePodList() throws {
        let cache = PodJSONCache()
        let cases: [[Pod]] = [
            [],
            [try richPod("a", uid: "u-a", version: "1")],
            [try richPod("a", uid: "u-a", version: "1"), try richPod("b", namespace: "kube-system", uid: "u-b", version: "7")],
            // Not published (no uid or no resourceVersion): encoded each time, never cached.
            [try richPod("c", uid: nil, version: "3"), try richPod("d", uid: "u-d", version: nil)],
            [Pod(metadata: ObjectMeta(name: "bare", namespace: "default"), spec: PodSpec(containers: []))],
        ]
        for pods in cases {
            let expected = try KubeJSON.encode(PodList(items: pods))
            // Twice: the second list comes from the cache.
            XCTAssertEqual(text(try cache.list(pods)), text(expected), "\(pods.map(\.name))")
            XCTAssertEqual(text(try cache.list(pods)), text(expected), "\(pods.map(\.name)), cached")
        }
        XCTAssertEqual(cache.count, 2, "only the published pods u-a and u-b are kept")
    }

    func testANewResourceVersionIsEncodedAgain() throws {
        let cache = PodJSONCache()
        var pod = try richPod("a", uid: "u-a", version: "1")
        _ = try cache.list([pod])
        pod.status?.phase = .failed
        pod.status?.containerStatuses?[0].restartCount = 3
        pod.metadata.resourceVersion = "2"
        let listed = try JSONDecoder().decode(PodList.self, from: Data(try cache.list([pod])))
        XCTAssertEqual(listed.items, [pod])
        XCTAssertEqual(text(try cache.json(pod)), text(try KubeJSON.encode(pod)))
    }

    func testWatchEventsAreByteIdenticalAndDeletedForgetsThePod() throws {
        let cache = PodJSONCache()
        let pod = try richPod("a", uid: "u-a", version: "4")
        for type in [WatchEvent.added, WatchEvent.modified] {
            let expected = try KubeJSON.encode(WatchEvent(type: type, object: pod))
            XCTAssertEqual(text(try cache.watchEvent(type: type, object: pod)), text(expected), type)
        }
        XCTAssertEqual(cache.count, 1)
        var gone = pod
        gone.metadata.resourceVersion = "5"
        let expected = try KubeJSON.encode(WatchEvent(type: WatchEvent.deleted, object: gone))
        XCTAssertEqual(text(try cache.watchEvent(type: WatchEvent.deleted, object: gone)), text(expected))
        XCTAssertEqual(cache.count, 0, "a deleted pod leaves nothing in the cache")
    }

    func testRetainDropsOnlyGonePodsOfTheListedNamespace() throws {
        let cache = PodJSONCache()
        let a = try richPod("a", uid: "u-a", version: "1")
        let b = try richPod("b", uid: "u-b", version: "1")
        let c = try richPod("c", namespace: "other", uid: "u-c", version: "1")
        _ = try cache.list([a, b, c])
        XCTAssertEqual(cache.count, 3)
        cache.retain(live: [a], namespace: "default")
        XCTAssertEqual(cache.count, 2, "b is gone from default; c in another namespace stays")
        cache.retain(live: [a], namespace: nil)
        XCTAssertEqual(cache.count, 1)
        // A get reads the cache but does not fill it.
        _ = try cache.json(b, store: false)
        XCTAssertEqual(cache.count, 1)
    }
}
