import Foundation
import SwiftletKube
@testable import SwiftletManifests
import XCTest

final class StaticPodTests: XCTestCase {
    func pod(image: String = "busybox") -> Pod {
        Pod(metadata: ObjectMeta(name: "web"), spec: PodSpec(containers: [Container(name: "c", image: image)]))
    }

    func testFNV1a128KnownVectors() {
        let cases = [("", "6c62272e07bb014262b821756295c58d"), ("a", "d228cb696f1a8caf78912b704e4a8964")]
        for (input, expected) in cases {
            var h = FNV1a128()
            h.update(input)
            XCTAssertEqual(h.hexDigest, expected, input)
        }
    }

    func testUIDIsStableAndSensitive() {
        let uid = staticPodUID(pod: pod(), filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n1")
        XCTAssertEqual(uid.count, 32)
        XCTAssertTrue(uid.allSatisfy { "0123456789abcdef".contains($0) })
        XCTAssertEqual(uid, staticPodUID(pod: pod(), filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n1"))
        // Spelling out a default is the same pod.
        XCTAssertEqual(uid, staticPodUID(pod: pod().withDefaults(), filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n1"))
        XCTAssertNotEqual(uid, staticPodUID(pod: pod(image: "busybox:2"), filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n1"))
        XCTAssertNotEqual(uid, staticPodUID(pod: pod(), filePath: "/etc/swiftlet/manifests/web2.yaml", nodeName: "n1"))
        XCTAssertNotEqual(uid, staticPodUID(pod: pod(), filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n2"))
        var withStatus = pod()
        withStatus.status = PodStatus(phase: .running)
        XCTAssertEqual(uid, staticPodUID(pod: withStatus, filePath: "/etc/swiftlet/manifests/web.yaml", nodeName: "n1"))
    }

    func testAnnotateStaticPod() {
        var p = pod()
        let seen = Date(timeIntervalSince1970: 1_700_000_000.25)
        let uid = staticPodUID(pod: p, filePath: "/m/web.yaml", nodeName: "node-a")
        annotateStaticPod(&p, filePath: "/m/web.yaml", nodeName: "node-a", seen: seen)
        XCTAssertEqual(p.metadata.uid, uid)
        XCTAssertEqual(p.metadata.name, "web")
        XCTAssertEqual(p.metadata.namespace, "default")
        XCTAssertEqual(p.metadata.annotations?["kubernetes.io/config.hash"], uid)
        XCTAssertEqual(p.metadata.annotations?["kubernetes.io/config.source"], "file")
        XCTAssertEqual(p.metadata.annotations?["kubernetes.io/config.seen"], "2023-11-14T22:13:20.25Z")
        XCTAssertEqual(p.metadata.creationTimestamp, KubeTime(seen))
        XCTAssertEqual(p.spec.nodeName, "node-a")
        XCTAssertEqual(p.spec.tolerations, [Toleration(operator: "Exists", effect: "NoExecute")])
        XCTAssertEqual(p.status?.phase, .pending)
        XCTAssertEqual(p.validate(), [])
    }
}
