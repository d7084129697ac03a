import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Pods created through the API: created, listed, persisted across an agent restart, deleted; and
/// the Pod JSON checked against a strict schema of the Kubernetes field names and types.
final class APIPodTests: IntegrationTestCase {
    func pod(_ name: String, command: [String]) -> Pod {
        var container = Container(name: "main", image: "busybox", command: command)
        container.env = [EnvVar(name: "GREETING", value: "hello"), EnvVar(name: "MESSAGE", value: "$(GREETING) world")]
        var pod = Pod(metadata: ObjectMeta(name: name, labels: ["tier": "api"]), spec: PodSpec(containers: [container]))
        pod.spec.terminationGracePeriodSeconds = 1
        return pod
    }

    func testCreateListRestartDelete() throws {
        _ = try harness.client.createPod(pod("via-api", command: ["sh", "-c", "echo $MESSAGE; exec sleep 3600"]))
        let running = try harness.waitForRunning("via-api")
        _ = try harness.waitForLog("via-api", "main", contains: "hello world")
        XCTAssertEqual(running.metadata.annotations?["kubernetes.io/config.source"], "api")

        XCTAssertThrowsError(try harness.client.createPod(pod("via-api", command: ["true"]))) { error in
            XCTAssertTrue("\(error)".contains("AlreadyExists"), "\(error)")
        }
        XCTAssertEqual(try harness.client.listPods(namespace: "default", labelSelector: "tier=api").items.count, 1)
        XCTAssertEqual(try harness.client.listPods(namespace: "default", labelSelector: "tier!=api").items.count, 0)

        // API pods are persisted: an agent restart (even a crash) brings back the same pod.
        harness.kill9()
        try harness.start()
        let again = try harness.waitForRunning("via-api")
        XCTAssertEqual(again.uid, running.uid)
        XCTAssertEqual(again.status?.containerStatuses?.first?.restartCount, 0)

        _ = try harness.client.deletePod(namespace: "default", name: "via-api")
        try harness.waitForGone("via-api")
        XCTAssertTrue(harness.leakedProcesses().isEmpty, "\(harness.leakedProcesses())")
        harness.stop()
        try harness.start()
        XCTAssertNil(harness.pod("via-api"), "a deleted API pod stays deleted")
    }

    func testInvalidPodIsRejectedWithFieldErrors() throws {
        var bad = pod("Bad_Name", command: ["true"])
        bad.spec.containers[0].image = ""
        XCTAssertThrowsError(try harness.client.createPod(bad)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("metadata.name: Invalid value: \"Bad_Name\""), text)
            XCTAssertTrue(text.contains("spec.containers[0].image: Required value"), text)
        }
        XCTAssertEqual(try harness.client.listPods(namespace: nil).items.count, 0)
    }

    func testPodJSONMatchesTheKubernetesSchema() throws {
        _ = try harness.client.createPod(pod("schema", command: ["sh", "-c", "exec sleep 3600"]))
        _ = try harness.waitForRunning("schema")
        let response = try UnixHTTPClient(socketPath: harness.socket).request("GET", "/api/v1/namespaces/default/pods/schema")
        XCTAssertEqual(response.status, 200)
        let object = try JSONValue.parse(Data(response.body))
        var problems: [String] = []
        KubeSchema.pod.check(object, path: "", problems: &problems)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        let list = try UnixHTTPClient(socketPath: harness.socket).request("GET", "/api/v1/pods")
        let listObject = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.body)) as? [String: Any])
        XCTAssertEqual(listObject["kind"] as? String, "PodList")
        XCTAssertEqual(listObject["apiVersion"] as? String, "v1")
    }
}
