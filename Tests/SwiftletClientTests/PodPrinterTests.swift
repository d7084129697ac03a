import SwiftletClient
import SwiftletKube
import XCTest

final class PodPrinterTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func pod(
        containers: [ContainerStatus], initContainers: [ContainerStatus]? = nil, initSpecs: [Container]? = nil,
        phase: PodPhase = .running, conditions: [PodCondition]? = nil, deleting: Bool = false
    ) -> Pod {
        let specs = containers.map { Container(name: $0.name, image: "busybox") }
        var p = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: PodSpec(containers: specs, initContainers: initSpecs ?? initContainers?.map { Container(name: $0.name, image: "busybox") }))
        p.metadata.creationTimestamp = KubeTime(now.addingTimeInterval(-190))
        if deleting { p.metadata.deletionTimestamp = KubeTime(now) }
        var status = PodStatus(phase: phase)
        status.containerStatuses = containers
        status.initContainerStatuses = initContainers
        status.conditions = conditions
        p.status = status
        return p
    }

    private let running = ContainerState(running: ContainerStateRunning(startedAt: nil))
    private func terminated(_ code: Int32, _ reason: String? = nil, signal: Int32? = nil) -> ContainerState {
        ContainerState(terminated: ContainerStateTerminated(exitCode: code, signal: signal, reason: reason))
    }

    func testStatusColumnMatchesKubectl() {
        let initialized = [PodCondition(type: .initialized, status: .true)]
        let cases: [(String, Pod, String, String)] = [
            ("running", pod(containers: [ContainerStatus(name: "a", state: running, ready: true)]), "Running", "1/1"),
            ("creating", pod(containers: [ContainerStatus(name: "a", state: .waiting("ContainerCreating"))], phase: .pending),
             "ContainerCreating", "0/1"),
            ("crashloop", pod(containers: [ContainerStatus(name: "a", state: .waiting("CrashLoopBackOff"))]),
             "CrashLoopBackOff", "0/1"),
            ("completed", pod(containers: [ContainerStatus(name: "a", state: terminated(0, "Completed"))], phase: .succeeded),
             "Completed", "0/1"),
            ("error", pod(containers: [ContainerStatus(name: "a", state: terminated(1, "Error"))], phase: .failed), "Error", "0/1"),
            ("exit code", pod(containers: [ContainerStatus(name: "a", state: terminated(2))], phase: .failed), "ExitCode:2", "0/1"),
            ("signal", pod(containers: [ContainerStatus(name: "a", state: terminated(137, signal: 9))], phase: .failed),
             "Signal:9", "0/1"),
            ("init 0/2", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: running), ContainerStatus(name: "i2", state: .waiting("PodInitializing"))],
                phase: .pending), "Init:0/2", "0/1"),
            ("init 1/2", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: terminated(0, "Completed")), ContainerStatus(name: "i2", state: running)],
                phase: .pending), "Init:1/2", "0/1"),
            ("init crashloop", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: .waiting("CrashLoopBackOff"))], phase: .pending),
             "Init:CrashLoopBackOff", "0/1"),
            ("init error", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: terminated(1, "Error"))], phase: .failed),
             "Init:Error", "0/1"),
            ("init exit code", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: terminated(3))], phase: .pending),
             "Init:ExitCode:3", "0/1"),
            ("pod initializing", pod(
                containers: [ContainerStatus(name: "a", state: .waiting("PodInitializing"))],
                initContainers: [ContainerStatus(name: "i1", state: terminated(0, "Completed"))], phase: .pending,
                conditions: initialized), "PodInitializing", "0/1"),
            ("terminating", pod(containers: [ContainerStatus(name: "a", state: running, ready: true)], deleting: true),
             "Terminating", "1/1"),
            ("terminal pods do not show Terminating", pod(
                containers: [ContainerStatus(name: "a", state: terminated(0, "Completed"))], phase: .succeeded, deleting: true),
             "Completed", "0/1"),
            ("not ready", pod(containers: [
                ContainerStatus(name: "a", state: running, ready: true), ContainerStatus(name: "b", state: terminated(0, "Completed")),
            ]), "NotReady", "1/2"),
            ("completed sidecar-less with ready pod", pod(
                containers: [
                    ContainerStatus(name: "a", state: running, ready: true), ContainerStatus(name: "b", state: terminated(0, "Completed")),
                ], conditions: [PodCondition(type: .ready, status: .true)]), "Running", "1/2"),
            ("sidecar counts as a container", pod(
                containers: [ContainerStatus(name: "a", state: running, ready: true)],
                initContainers: [ContainerStatus(name: "side", state: running, ready: true, started: true)],
                initSpecs: [{ var c = Container(name: "side", image: "busybox"); c.restartPolicy = "Always"; return c }()],
                conditions: initialized), "Running", "2/2"),
        ]
        for (label, pod, status, ready) in cases {
            let row = PodPrinter.row(pod, now: now)
            XCTAssertEqual(row.status, status, label)
            XCTAssertEqual(row.ready, ready, label)
        }
    }

    func testRestartsShowTimeSinceLastTermination() {
        var status = ContainerStatus(name: "a", state: .waiting("CrashLoopBackOff"), restartCount: 3)
        status.lastState = ContainerState(terminated: ContainerStateTerminated(
            exitCode: 1, reason: "Error", finishedAt: KubeTime(now.addingTimeInterval(-120))))
        let row = PodPrinter.row(pod(containers: [status]), now: now)
        XCTAssertEqual(row.restarts, "3 (2m ago)")
        XCTAssertEqual(row.age, "3m10s")
        XCTAssertEqual(PodPrinter.row(pod(containers: [ContainerStatus(name: "a", state: running)]), now: now).restarts, "0")
    }

    func testTableLayouts() {
        var p = pod(containers: [ContainerStatus(name: "a", state: running, ready: true)])
        p.status?.podIPs = [HostIP(ip: "10.88.0.4")]
        p.spec.nodeName = "edge-1"
        XCTAssertEqual(PodPrinter.table([p], now: now), """
            NAME   READY   STATUS    RESTARTS   AGE
            web    1/1     Running   0          3m10s

            """)
        XCTAssertEqual(PodPrinter.table([p], now: now, wide: true, withNamespace: true), """
            NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE     IP          NODE     NOMINATED NODE   READINESS GATES
            default     web    1/1     Running   0          3m10s   10.88.0.4   edge-1   <none>           <none>

            """)
    }

    func testDescribeLayout() {
        var p = pod(containers: [ContainerStatus(name: "a", state: running, ready: true, containerID: "swiftlet://abc")])
        p.spec.containers[0].command = ["sh", "-c"]
        p.status?.podIP = "10.88.0.4"
        p.status?.conditions = [PodCondition(type: .ready, status: .true)]
        p.metadata.labels = ["app": "web", "tier": "front"]
        let event = Event(
            metadata: ObjectMeta(name: "web.1", namespace: "default"),
            involvedObject: ObjectReference(kind: "Pod", namespace: "default", name: "web", uid: nil),
            reason: "Started", message: "Started container a", type: "Normal", count: 1,
            firstTimestamp: KubeTime(now.addingTimeInterval(-30)), lastTimestamp: KubeTime(now.addingTimeInterval(-30)),
            source: EventSource(component: "swiftlet", host: nil))
        let text = PodDescriber(now: now, timeZone: TimeZone(identifier: "UTC")!).describe(p, events: [event])
        XCTAssertTrue(text.hasPrefix("Name:         web\nNamespace:    default\n"), text)
        XCTAssertTrue(text.contains("Labels:       app=web\n              tier=front\n"), text)
        // As in kubectl, a `Command:` line (no tab) ends the aligned block, so the columns differ around it.
        XCTAssertTrue(text.contains("    Container ID:  swiftlet://abc\n"), text)
        XCTAssertTrue(text.contains("    Command:\n      sh\n      -c\n    State:          Running\n"), text)
        XCTAssertTrue(text.contains("Conditions:\n  Type           Status\n  Ready          True \nVolumes:         <none>\n"), text)
        XCTAssertFalse(text.contains("Service Account:"), "kubectl prints it only when set:\n\(text)")
        XCTAssertTrue(text.contains("  Normal  Started  30s   swiftlet  Started container a\n"), text)
    }
}
