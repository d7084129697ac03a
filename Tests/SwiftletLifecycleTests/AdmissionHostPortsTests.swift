import SwiftletKube
import SwiftletLifecycle
import XCTest

final class AdmissionHostPortsTests: XCTestCase {
    func pod(_ uid: String, _ ports: [(Int32, String?, String?)], sidecar: Bool = false) -> Pod {
        var container = Container(name: "c", image: "busybox")
        container.ports = ports.map { hostPort, proto, ip in
            var p = ContainerPort(containerPort: 80, protocol: proto)
            p.hostPort = hostPort
            p.hostIP = ip
            return p
        }
        var spec = PodSpec(containers: [Container(name: "main", image: "busybox")])
        if sidecar {
            container.restartPolicy = "Always"
            spec.initContainers = [container]
        } else {
            spec.containers.append(container)
        }
        return Pod(metadata: ObjectMeta(name: uid, namespace: "default", uid: uid), spec: spec)
    }

    func testHostPortConflicts() {
        let cases: [(String, Pod, [Pod], Bool)] = [
            ("free port", pod("b", [(18080, nil, nil)]), [pod("a", [(18081, nil, nil)])], true),
            ("same port, both on all addresses", pod("b", [(18080, nil, nil)]), [pod("a", [(18080, "TCP", nil)])], false),
            ("same port, other protocol", pod("b", [(18080, "UDP", nil)]), [pod("a", [(18080, "TCP", nil)])], true),
            ("same port, different specific IPs", pod("b", [(18080, nil, "127.0.0.2")]), [pod("a", [(18080, nil, "127.0.0.1")])], true),
            ("same port, same IP", pod("b", [(18080, nil, "127.0.0.1")]), [pod("a", [(18080, nil, "127.0.0.1")])], false),
            ("a specific IP against all addresses", pod("b", [(18080, nil, "127.0.0.1")]), [pod("a", [(18080, nil, "")])], false),
            ("a sidecar's hostPort counts", pod("b", [(18080, nil, nil)]), [pod("a", [(18080, nil, nil)], sidecar: true)], false),
            ("no hostPort", pod("b", [(0, nil, nil)]), [pod("a", [(0, nil, nil)])], true),
            ("the pod itself is no conflict", pod("a", [(18080, nil, nil)]), [pod("a", [(18080, nil, nil)])], true),
        ]
        for (name, wanted, running, admitted) in cases {
            let verdict = admitHostPorts(pod: wanted, running: running)
            XCTAssertEqual(verdict.admitted, admitted, name)
            if !admitted {
                XCTAssertEqual(verdict.reason, "NodePorts", name)
                XCTAssertEqual(
                    verdict.message,
                    "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports", name)
            }
        }
    }
}
