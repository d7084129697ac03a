import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Bad input gets a clear error naming what is wrong and never takes down the agent or a running pod.
final class BadInputTests: IntegrationTestCase {
    func testMissingImageAndMissingCommandAreReportedWithTheKubeletReasons() throws {
        try harness.write(
            "broken.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: noimage}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: "registry.example:5000/team/app:1.0", command: ["true"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: nocommand}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["/no/such/program"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: bystander}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sleep", "3600"]}
            """)
        let noImage = try harness.waitForPod("noimage", "ImagePullBackOff") {
            $0.status?.containerStatuses?.first?.state.waiting?.reason == "ImagePullBackOff"
        }
        XCTAssertEqual(noImage.status?.phase, .pending)
        let image = try harness.waitForPod("noimage", "ErrImagePull with the reference") {
            let w = $0.status?.containerStatuses?.first?.state.waiting
            return w?.reason == "ErrImagePull" && (w?.message?.contains("registry.example:5000/team/app:1.0") ?? false)
        }
        XCTAssertNotNil(image)

        let noCommand = try harness.waitForPod("nocommand", "a StartError run and a restart") { pod in
            let s = pod.status?.containerStatuses?.first
            return (s?.restartCount ?? 0) >= 1 && s?.lastState.terminated?.reason == "StartError"
        }
        let last = try XCTUnwrap(noCommand.status?.containerStatuses?.first?.lastState.terminated)
        XCTAssertEqual(last.exitCode, 128)
        XCTAssertTrue(last.message?.contains("/no/such/program") ?? false, "\(last)")
        XCTAssertEqual(noCommand.status?.phase, .running, "restartPolicy Always keeps the pod Running")

        let bystander = try harness.waitForRunning("bystander")
        XCTAssertEqual(bystander.status?.containerStatuses?.first?.restartCount, 0)
    }

    func testMalformedAndOversizedRequestsGetErrorsAndTheAgentKeepsServing() throws {
        let http = UnixHTTPClient(socketPath: harness.socket)
        let malformed = try http.request("POST", "/api/v1/namespaces/default/pods", body: Array("{\"metadata\": ".utf8))
        XCTAssertEqual(malformed.status, 400, malformed.bodyText)
        let wrongType = try http.request(
            "POST", "/api/v1/namespaces/default/pods", body: Array(#"{"metadata":{"name":"x"},"spec":{"containers":"nope"}}"#.utf8))
        XCTAssertTrue([400, 422].contains(wrongType.status), wrongType.bodyText)
        XCTAssertTrue(wrongType.bodyText.contains("containers"), wrongType.bodyText)
        let huge = try? http.request(
            "POST", "/api/v1/namespaces/default/pods", body: [UInt8](repeating: 32, count: 4 * 1024 * 1024))
        if let huge { XCTAssertEqual(huge.status, 413) }
        let unknown = try http.request("GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx")
        XCTAssertEqual(unknown.status, 400, unknown.bodyText)
        XCTAssertEqual(try http.request("GET", "/healthz").status, 200)
        XCTAssertNotNil(try? harness.client.version())
    }
}
