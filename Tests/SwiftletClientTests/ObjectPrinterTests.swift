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

    func testDaemonSetAndControllerRevisionColumns() {
        var meta = ObjectMeta(name: "agent", namespace: "default")
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-300))
        var spec = PodSpec(containers: [])
        spec.nodeSelector = ["zone": "a", "disk": "ssd"]
        var ds = DaemonSet(metadata: meta, spec: .init(template: PodTemplateSpec(spec: spec)))
        var status = DaemonSet.Status()
        status.desiredNumberScheduled = 1
        status.currentNumberScheduled = 1
        status.numberReady = 0
        status.updatedNumberScheduled = 1
        status.numberAvailable = 0
        ds.status = status
        XCTAssertTrue(ObjectPrinter.type(named: "ds") == DaemonSet.self)
        XCTAssertEqual(
            ObjectPrinter.table([ds], now: now, withNamespace: false),
            "NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR     AGE\n"
                + "agent   1         1         0       1            0           disk=ssd,zone=a   5m\n")
        ds.spec.template?.spec.nodeSelector = nil
        XCTAssertEqual(ds.cells(now: now)[6], "<none>")

        var rmeta = ObjectMeta(name: "agent-5f7c9", namespace: "default")
        rmeta.ownerReferences = [.controllerRef(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u")]
        rmeta.creationTimestamp = meta.creationTimestamp
        let revision = ControllerRevision(metadata: rmeta, data: .object([:]), revision: 2)
        XCTAssertEqual(revision.cells(now: now), ["agent-5f7c9", "daemonset.apps/agent", "2", "5m"])
    }

    func testCronJobColumns() {
        var meta = ObjectMeta(name: "backup", namespace: "default")
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-7200))
        var cj = CronJob(metadata: meta, spec: .init(schedule: "*/5 * * * *", jobTemplate: .init(spec: Job.Spec())))
        XCTAssertTrue(ObjectPrinter.type(named: "cj") == CronJob.self)
        XCTAssertEqual(cj.cells(now: now), ["backup", "*/5 * * * *", "<none>", "<unset>", "0", "<none>", "120m"])
        cj.spec.suspend = false
        cj.spec.timeZone = "Europe/Berlin"
        var status = CronJob.Status()
        status.active = [ObjectReference(kind: "Job", namespace: "default", name: "backup-1", uid: "u")]
        status.lastScheduleTime = KubeTime(now.addingTimeInterval(-65))
        cj.status = status
        XCTAssertEqual(
            ObjectPrinter.table([cj], now: now, withNamespace: false),
            "NAME     SCHEDULE      TIMEZONE        SUSPEND   ACTIVE   LAST SCHEDULE   AGE\n"
                + "backup   */5 * * * *   Europe/Berlin   False     1        65s             120m\n")
    }
}
