import Foundation
import SwiftletKube
import XCTest

final class ProbeValidationTests: XCTestCase {
    func pod(_ yaml: String) throws -> Pod {
        let json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox",
            "ports":[{"name":"http","containerPort":8080}],\(yaml)}]}}
            """
        return try KubeJSON.decode(Pod.self, from: Data(json.utf8)).withDefaults()
    }

    func testDefaultsAreTheKubelets() throws {
        let probe = try XCTUnwrap(pod(#""livenessProbe":{"httpGet":{"port":"http"}}"#).spec.containers[0].livenessProbe)
        XCTAssertEqual(probe.timeoutSeconds, 1)
        XCTAssertEqual(probe.periodSeconds, 10)
        XCTAssertEqual(probe.successThreshold, 1)
        XCTAssertEqual(probe.failureThreshold, 3)
        XCTAssertEqual(probe.httpGet?.path, "/")
        XCTAssertEqual(probe.httpGet?.scheme, "HTTP")
        XCTAssertEqual(Probe.resolve(probe.httpGet!.port, in: [ContainerPort(name: "http", containerPort: 8080)]), 8080)
        XCTAssertNil(Probe.resolve(.string("nope"), in: []))
    }

    func testValidationMessages() throws {
        let table: [(String, String)] = [
            (#""livenessProbe":{"grpc":{"port":9000}}"#,
             "spec.containers[0].livenessProbe.grpc: Forbidden: gRPC probes are not supported by swiftlet yet; use exec, httpGet or tcpSocket"),
            (#""livenessProbe":{"periodSeconds":3}"#, "spec.containers[0].livenessProbe: Required value: must specify a handler type"),
            (#""readinessProbe":{"exec":{"command":["true"]},"tcpSocket":{"port":80}}"#,
             "spec.containers[0].readinessProbe: Forbidden: may not specify more than 1 handler type"),
            (#""livenessProbe":{"exec":{"command":["true"]},"successThreshold":2}"#,
             "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
            (#""startupProbe":{"tcpSocket":{"port":70000}}"#,
             "spec.containers[0].startupProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
            (#""readinessProbe":{"httpGet":{"port":80,"scheme":"HTTPS"}}"#,
             "spec.containers[0].readinessProbe.httpGet.scheme: Forbidden: HTTPS probes are not supported by swiftlet yet"),
            (#""readinessProbe":{"exec":{}}"#, "spec.containers[0].readinessProbe.exec.command: Required value"),
        ]
        for (fragment, expected) in table {
            let errors = try pod(fragment).validate().map(\.description)
            XCTAssertTrue(errors.contains(expected), "\(fragment): \(errors)")
        }
        XCTAssertEqual(try pod(#""readinessProbe":{"exec":{"command":["true"]},"successThreshold":2}"#).validate(), [])
    }

    func testInitContainersMayHaveProbesOnlyAsSidecars() throws {
        var p = try pod(#""stdin":false"#)
        var initContainer = Container(name: "setup", image: "busybox")
        initContainer.readinessProbe = Probe(exec: ExecAction(command: ["true"]))
        p.spec.initContainers = [initContainer]
        XCTAssertTrue(
            p.validate().map(\.description).contains(
                "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"))
        p.spec.initContainers?[0].restartPolicy = "Always"
        XCTAssertEqual(p.validate(), [])
    }
}
