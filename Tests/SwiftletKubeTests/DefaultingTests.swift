import SwiftletKube
import XCTest

final class DefaultingTests: XCTestCase {
    func testPodDefaults() {
        let pod = Pod(metadata: ObjectMeta(name: "web"), spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))
            .withDefaults()
        XCTAssertEqual(pod.metadata.namespace, "default")
        XCTAssertEqual(pod.spec.restartPolicy, .always)
        XCTAssertEqual(pod.spec.terminationGracePeriodSeconds, 30)
        XCTAssertEqual(pod.spec.dnsPolicy, "ClusterFirst")
        XCTAssertEqual(pod.spec.schedulerName, "default-scheduler")
        XCTAssertEqual(pod.spec.enableServiceLinks, true)
        let c = pod.spec.containers[0]
        XCTAssertEqual(c.imagePullPolicy, .always)
        XCTAssertEqual(c.terminationMessagePath, "/dev/termination-log")
        XCTAssertEqual(c.terminationMessagePolicy, "File")
    }

    func testDefaultsKeepExplicitValues() {
        var spec = PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never)
        spec.terminationGracePeriodSeconds = 0
        spec.enableServiceLinks = false
        spec.dnsPolicy = "Default"
        spec.containers[0].imagePullPolicy = .never
        spec.containers[0].terminationMessagePolicy = "FallbackToLogsOnError"
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "prod"), spec: spec).withDefaults()
        XCTAssertEqual(pod.metadata.namespace, "prod")
        XCTAssertEqual(pod.spec.restartPolicy, .never)
        XCTAssertEqual(pod.spec.terminationGracePeriodSeconds, 0)
        XCTAssertEqual(pod.spec.enableServiceLinks, false)
        XCTAssertEqual(pod.spec.dnsPolicy, "Default")
        XCTAssertEqual(pod.spec.containers[0].imagePullPolicy, .never)
        XCTAssertEqual(pod.spec.containers[0].terminationMessagePolicy, "FallbackToLogsOnError")
    }

    func testImagePullPolicyByTag() {
        let cases: [(String, PullPolicy)] = [
            ("busybox", .always),
            ("busybox:latest", .always),
            ("docker.io/library/busybox:latest", .always),
            ("localhost:5000/busybox", .always),
            ("localhost:5000/busybox:1.36", .ifNotPresent),
            ("busybox:1.36", .ifNotPresent),
            ("busybox@sha256:" + String(repeating: "a", count: 64), .ifNotPresent),
            ("busybox:latest@sha256:" + String(repeating: "a", count: 64), .always),
            ("", .ifNotPresent),
        ]
        for (image, expected) in cases {
            var c = Container(name: "c", image: image)
            c.applyDefaults()
            XCTAssertEqual(c.imagePullPolicy, expected, image)
        }
    }

    func testInitContainersAndPortsDefaulted() {
        var spec = PodSpec(
            containers: [Container(name: "c", image: "busybox:1")], initContainers: [Container(name: "i", image: "busybox")])
        spec.containers[0].ports = [ContainerPort(containerPort: 80), ContainerPort(containerPort: 53, protocol: "UDP")]
        let pod = Pod(metadata: ObjectMeta(name: "web"), spec: spec).withDefaults()
        XCTAssertEqual(pod.spec.initContainers?[0].imagePullPolicy, .always)
        XCTAssertEqual(pod.spec.initContainers?[0].terminationMessagePath, "/dev/termination-log")
        XCTAssertEqual(pod.spec.containers[0].ports?.map(\.protocol), ["TCP", "UDP"])
        XCTAssertEqual(pod.spec.containers[0].ports?[0].hostPort, nil)

        var hostNet = spec
        hostNet.hostNetwork = true
        let hostPod = Pod(metadata: ObjectMeta(name: "web"), spec: hostNet).withDefaults()
        XCTAssertEqual(hostPod.spec.containers[0].ports?.map(\.hostPort), [80, 53])
    }

    func testDefaultingIsIdempotent() {
        let once = Pod(metadata: ObjectMeta(name: "web"), spec: PodSpec(containers: [Container(name: "c", image: "x")]))
            .withDefaults()
        XCTAssertEqual(once.withDefaults(), once)
    }
}
