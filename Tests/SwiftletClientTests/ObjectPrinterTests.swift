import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletClient

/// `swiftlet get` of the stored kinds: kubectl's names and columns.
final class ObjectPrinterTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 3_000_000)

    func testResourceNamesAndQualifiedKinds() {
        XCTAssertTrue(ObjectPrinter.type(named: "deploy") == Deployment.self)
        XCTAssertTrue(ObjectPrinter.type(named: "Deployments") == Deployment.self)
        XCTAssertTrue(ObjectPrinter.type(named: "rs") == ReplicaSet.self)
        XCTAssertTrue(ObjectPrinter.type(named: "job") == Job.self)
        XCTAssertTrue(ObjectPrinter.type(named: "cm") == ConfigMap.self)
        XCTAssertNil(ObjectPrinter.type(named: "statefulsets"))
        XCTAssertEqual(ObjectPrinter.qualifiedKind(Deployment.self), "deployment.apps")
        XCTAssertEqual(ObjectPrinter.qualifiedKind(Job.self), "job.batch")
        XCTAssertEqual(ObjectPrinter.qualifiedKind(ConfigMap.self), "configmap")
    }

    func testDeploymentAndJobColumns() {
        var meta = ObjectMeta(name: "web", namespace: "default")
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-90))
        var d = Deployment(metadata: meta, spec: .init(replicas: 3))
        var status = Deployment.Status()
        status.readyReplicas = 2
        status.updatedReplicas = 3
        status.availableReplicas = 1
        d.status = status
        XCTAssertEqual(
            ObjectPrinter.table([d], now: now, withNamespace: false),
            "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/3     3            1           90s\n")

        var job = Job(metadata: meta, spec: Job.Spec())
        job.spec.completions = 6
        var js = Job.Status()
        js.succeeded = 6
        js.startTime = KubeTime(now.addingTimeInterval(-80))
        js.completionTime = KubeTime(now.addingTimeInterval(-20))
        js.conditions = [.init(type: "Complete", reason: nil, message: nil, now: KubeTime(now))]
        job.status = js
        XCTAssertEqual(job.cells(now: now), ["web", "Complete", "6/6", "60s", "90s"])
    }
}
