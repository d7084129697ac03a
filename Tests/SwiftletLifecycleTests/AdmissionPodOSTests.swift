import Foundation
import SwiftletKube
import SwiftletLifecycle
import XCTest

final class AdmissionPodOSTests: XCTestCase {
    func pod(os: String?, label: String?) -> Pod {
        var pod = resourcedPod([resourced("a")])
        pod.spec.os = os.map { PodOS(name: $0) }
        if let label { pod.metadata.labels = ["kubernetes.io/os": label, "app": "web"] }
        return pod
    }

    func testOSChecksTable() {
        let fieldMessage = "Failed to admit pod as the OS field doesn't match node OS"
        let labelMessage = "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label"
        let table: [(String, Pod, String?, String?)] = [
            ("neither", pod(os: nil, label: nil), nil, nil),
            ("linux field", pod(os: "linux", label: nil), nil, nil),
            ("linux label", pod(os: nil, label: "linux"), nil, nil),
            ("windows field", pod(os: "windows", label: nil), "PodOSNotSupported", fieldMessage),
            ("unknown field", pod(os: "plan9", label: nil), "PodOSNotSupported", fieldMessage),
            ("windows label", pod(os: nil, label: "windows"), "PodOSSelectorNodeLabelDoesNotMatch", labelMessage),
            ("empty label", pod(os: nil, label: ""), "PodOSSelectorNodeLabelDoesNotMatch", labelMessage),
            // The label is checked first, as predicate.go does.
            ("both wrong", pod(os: "windows", label: "windows"), "PodOSSelectorNodeLabelDoesNotMatch", labelMessage),
            ("label linux, field windows", pod(os: "windows", label: "linux"), "PodOSNotSupported", fieldMessage),
        ]
        let node = NodeAllocatable(cpuMilli: 2000, memoryBytes: 1 << 30)
        for (name, pod, reason, message) in table {
            let verdict = admitPodOS(pod: pod)
            XCTAssertEqual(verdict.admitted, reason == nil, name)
            XCTAssertEqual(verdict.reason, reason, name)
            XCTAssertEqual(verdict.message, message, name)
            // The full admission runs the OS checks before the resources.
            let full = admit(pod: pod, running: [], allocatable: node)
            XCTAssertEqual(full.reason, reason, name)
        }
    }

    func testWhichRejectionsWait() {
        let table: [(String, Bool)] = [
            ("OutOfcpu", true), ("OutOfmemory", true), ("OutOfpods", true), ("NodePorts", true),
            ("NodeAffinity", false), ("PodOSNotSupported", false), ("PodOSSelectorNodeLabelDoesNotMatch", false),
            ("UnknownReason", false),
        ]
        for (reason, waits) in table { XCTAssertEqual(AdmissionRejection.waits(reason: reason), waits, reason) }
        XCTAssertEqual(
            AdmissionRejection.statusMessage("Predicate NodePorts failed: x"), "Pod was rejected: Predicate NodePorts failed: x")
    }

    func testRejectedPodStatusIsRejectPodsAlone() {
        var guaranteed = resourcedPod([resourced("a", req: ["cpu": "1", "memory": "1Gi"], lim: ["cpu": "1", "memory": "1Gi"])])
        guaranteed.spec.os = PodOS(name: "windows")
        let first = Date(timeIntervalSince1970: 1_000_000)
        let status = PodStatusComputer.rejectedPodStatus(
            pod: guaranteed, reason: "PodOSNotSupported", message: "Failed to admit pod as the OS field doesn't match node OS",
            previous: nil, now: first)
        XCTAssertEqual(status.phase, .failed)
        XCTAssertEqual(status.reason, "PodOSNotSupported")
        XCTAssertEqual(status.message, "Pod was rejected: Failed to admit pod as the OS field doesn't match node OS")
        XCTAssertEqual(status.qosClass, "Guaranteed")
        XCTAssertEqual(status.startTime, KubeTime(first))
        XCTAssertNil(status.containerStatuses)
        XCTAssertNil(status.initContainerStatuses)
        XCTAssertNil(status.hostIP)
        XCTAssertEqual(status.conditions?.map(\.type), [.podScheduled])
        // Recomputed later: start time and transition time stay.
        let again = PodStatusComputer.rejectedPodStatus(
            pod: guaranteed, reason: "PodOSNotSupported", message: "m", previous: status, now: first.addingTimeInterval(60))
        XCTAssertEqual(again.startTime, KubeTime(first))
        XCTAssertEqual(again.conditions?.first?.lastTransitionTime, KubeTime(first))
    }

    /// A restarted agent keeps a rejected pod rejected: the status read back names its rejection,
    /// and no other status (an eviction, a waiting pod, a deadline) does.
    func testRejectionIsRecognisedInAStatusReadBack() throws {
        var pod = makePod()
        pod.spec.os = PodOS(name: "windows")
        let message = "Failed to admit pod as the OS field doesn't match node OS"
        let rejected = PodStatusComputer.rejectedPodStatus(
            pod: pod, reason: "PodOSNotSupported", message: message, previous: nil, now: Date(timeIntervalSince1970: 1_000_000))
        let decoded = try KubeJSON.decode(PodStatus.self, from: try KubeJSON.encode(rejected))
        let rejection = try XCTUnwrap(AdmissionRejection.rejection(in: decoded))
        XCTAssertEqual(rejection.reason, "PodOSNotSupported")
        XCTAssertEqual(rejection.message, message)
        XCTAssertEqual(
            PodStatusComputer.rejectedPodStatus(
                pod: pod, reason: rejection.reason, message: rejection.message, previous: decoded, now: Date()),
            decoded, "recomputed from the rejection read back, the status is the same")

        var waiting = PodStatus(phase: .pending)
        waiting.reason = "OutOfcpu"
        waiting.message = AdmissionRejection.statusMessage("Node didn't have enough resource: cpu")
        var evicted = PodStatus(phase: .failed)
        evicted.reason = "Evicted"
        evicted.message = "Usage of EmptyDir volume \"v\" exceeds the limit \"1Mi\". "
        evicted.containerStatuses = []
        var deadline = PodStatus(phase: .failed)
        deadline.reason = PodActiveDeadline.reason
        deadline.message = PodActiveDeadline.message
        for (name, status) in [("waiting", waiting), ("evicted", evicted), ("deadline", deadline), ("bare", PodStatus(phase: .failed))] {
            XCTAssertNil(AdmissionRejection.rejection(in: status), name)
        }
    }
}
