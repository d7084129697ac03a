import SwiftletKube
import XCTest

@testable import SwiftletRuntime

/// The CNI parameters containerd derives from a pod: CNI_ARGS and the runtimeConfig capabilities.
final class PodNetworkParametersTests: XCTestCase {
    func pod(annotations: [String: String]? = nil) -> Pod {
        var web = Container(name: "web", image: "busybox")
        var http = ContainerPort(containerPort: 8080)
        http.hostPort = 18080
        var dns = ContainerPort(containerPort: 53, protocol: "UDP")
        dns.hostPort = 5353
        dns.hostIP = "127.0.0.1"
        web.ports = [http, dns, ContainerPort(containerPort: 9090)]
        var sidecar = Container(name: "init", image: "busybox")
        var initPort = ContainerPort(containerPort: 1)
        initPort.hostPort = 1111
        sidecar.ports = [initPort]
        var spec = PodSpec(containers: [web])
        spec.initContainers = [sidecar]
        return Pod(metadata: ObjectMeta(name: "p", namespace: "ns", uid: "u-1", annotations: annotations), spec: spec)
    }

    func testArgsAreContainerds() {
        let args = PodNetworkParameters.args(pod: pod(), containerID: "u-1").map { "\($0.0)=\($0.1)" }
        XCTAssertEqual(args, ["IgnoreUnknown=1", "K8S_POD_NAMESPACE=ns", "K8S_POD_NAME=p", "K8S_POD_INFRA_CONTAINER_ID=u-1", "K8S_POD_UID=u-1"])
    }

    func testPortMappingsComeFromRegularContainersWithAHostPort() throws {
        let caps = try PodNetworkParameters.capabilityArgs(pod: pod())
        XCTAssertEqual(caps["portMappings"], .array([
            .object(["hostPort": .int(18080), "containerPort": .int(8080), "protocol": .string("tcp")]),
            .object(["hostPort": .int(5353), "containerPort": .int(53), "protocol": .string("udp"), "hostIP": .string("127.0.0.1")]),
        ]))
        XCTAssertNil(caps["bandwidth"])
    }

    func testBandwidthAnnotations() throws {
        let caps = try PodNetworkParameters.capabilityArgs(
            pod: pod(annotations: ["kubernetes.io/ingress-bandwidth": "10M", "kubernetes.io/egress-bandwidth": "1Mi"]))
        XCTAssertEqual(caps["bandwidth"], .object([
            "ingressRate": .int(10_000_000), "ingressBurst": .int(Int64(UInt32.max)),
            "egressRate": .int(1_048_576), "egressBurst": .int(Int64(UInt32.max)),
        ]))
        for bad in ["10", "fast", "2P"] {
            XCTAssertThrowsError(try PodNetworkParameters.capabilityArgs(pod: pod(annotations: ["kubernetes.io/ingress-bandwidth": bad])), bad)
        }
    }
}
