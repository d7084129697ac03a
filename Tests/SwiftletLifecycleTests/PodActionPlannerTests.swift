import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class PodActionPlannerTests: XCTestCase {
    struct Want: Equatable {
        var createSandbox = false
        var killPod = false
        var inits: [String] = []
        var start: [String] = []
        var kill: [String] = []
        var backingOff: [String] = []
        var waitUntil: TimeInterval?
    }

    func check(_ got: PodActions, _ want: Want, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let summary = Want(
            createSandbox: got.createSandbox, killPod: got.killPod, inits: got.initContainersToStart,
            start: got.containersToStart, kill: got.containersToKill.map(\.name), backingOff: got.backingOff,
            waitUntil: got.waitUntil)
        XCTAssertEqual(summary, want, label, file: file, line: line)
    }

    func testRegularContainersByRestartPolicy() {
        let window = BackOffWindow(delay: 20, remaining: 7)
        let cases: [(RestartPolicy, ObservedContainer, [String: BackOffWindow], Want)] = [
            (.always, seen("app", nil), [:], Want(start: ["app"])),
            (.always, seen("app", running()), [:], Want()),
            (.always, seen("app", exited(0)), [:], Want(start: ["app"])),
            (.always, seen("app", exited(1)), [:], Want(start: ["app"])),
            (.always, seen("app", exited(1)), ["app": window], Want(backingOff: ["app"], waitUntil: 7)),
            (.onFailure, seen("app", exited(0)), [:], Want(killPod: true)),
            (.onFailure, seen("app", exited(1)), [:], Want(start: ["app"])),
            (.onFailure, seen("app", exited(1)), ["app": window], Want(backingOff: ["app"], waitUntil: 7)),
            (.never, seen("app", nil), [:], Want(start: ["app"])),
            (.never, seen("app", exited(0)), [:], Want(killPod: true)),
            (.never, seen("app", exited(1)), ["app": window], Want(killPod: true)),
            // Back-off is about exits; a container that never ran is not held back.
            (.always, seen("app", nil), ["app": window], Want(start: ["app"])),
        ]
        for (i, (policy, app, backoff, want)) in cases.enumerated() {
            check(actions(makePod(policy: policy), observe(app), backoff: backoff), want, "case \(i) \(policy)")
        }
    }

    func testOneContainerLeftKeepsThePod() {
        let pod = makePod(containers: ["a", "b"], policy: .onFailure)
        check(actions(pod, observe(seen("a", exited(0)), seen("b", running()))), Want(), "b still runs")
        check(actions(pod, observe(seen("a", exited(0)), seen("b", exited(0)))), Want(killPod: true), "all done")
        let window = BackOffWindow(delay: 10, remaining: 3)
        let backoff = ["a": window, "b": BackOffWindow(delay: 40, remaining: 12)]
        check(
            actions(pod, observe(seen("a", exited(1)), seen("b", exited(2))), backoff: backoff),
            Want(backingOff: ["a", "b"], waitUntil: 3), "smallest remaining wins")
    }

    func testSandbox() {
        check(actions(makePod(), observe(sandbox: false)), Want(createSandbox: true, killPod: true, start: ["app"]), "new pod")
        check(
            actions(makePod(initContainers: ["i1", "i2"]), observe(sandbox: false)),
            Want(createSandbox: true, killPod: true, inits: ["i1"]), "new pod with init containers")
        check(
            actions(makePod(policy: .never), observe(seen("app", exited(137)), sandbox: false)),
            Want(killPod: true), "Never pod whose sandbox died is over")
        check(
            actions(makePod(containers: ["a", "b"], policy: .onFailure), observe(seen("a", exited(0)), seen("b", exited(1)), sandbox: false)),
            Want(createSandbox: true, killPod: true, start: ["b"]), "OnFailure skips succeeded containers")
        check(
            actions(makePod(policy: .onFailure), observe(seen("app", exited(0)), sandbox: false)),
            Want(killPod: true), "nothing left to run needs no sandbox")
        check(actions(makePod(), observe(seen("app", running())), deleting: true), Want(killPod: true), "deleting")
    }

    func testInitContainersRunStrictlyInOrder() {
        let cases: [(RestartPolicy, [ObservedContainer], Want)] = [
            (.always, [], Want(inits: ["i1"])),
            (.always, [seen("i1", running())], Want()),
            (.always, [seen("i1", exited(0))], Want(inits: ["i2"])),
            (.always, [seen("i1", exited(0)), seen("i2", running())], Want()),
            (.always, [seen("i1", exited(0)), seen("i2", exited(0))], Want(start: ["a", "b"])),
            (.always, [seen("i1", exited(1))], Want(inits: ["i1"])),
            (.onFailure, [seen("i1", exited(0)), seen("i2", exited(1))], Want(inits: ["i2"])),
            (.never, [seen("i1", exited(0)), seen("i2", exited(1))], Want(killPod: true)),
            (.never, [seen("i1", exited(1))], Want(killPod: true)),
            // Once a regular container runs, regular init containers are never re-run.
            (.always, [seen("i1", exited(1)), seen("a", running()), seen("b", exited(1))], Want(start: ["b"])),
            (.always, [seen("a", running()), seen("b", running())], Want()),
        ]
        let pod = { (policy: RestartPolicy) in makePod(containers: ["a", "b"], initContainers: ["i1", "i2"], policy: policy) }
        for (i, (policy, containers, want)) in cases.enumerated() {
            let observed = ObservedPod(sandboxReady: true, containers: Dictionary(uniqueKeysWithValues: containers.map { ($0.name, $0) }))
            check(actions(pod(policy), observed), want, "case \(i) \(policy)")
        }
        let backoff = ["i1": BackOffWindow(delay: 10, remaining: 9)]
        check(
            actions(pod(.always), observe(seen("i1", exited(1))), backoff: backoff),
            Want(backingOff: ["i1"], waitUntil: 9), "failed init container in back-off")
    }

    func testSidecarsStartInOrderAndRestart() {
        let pod = makePod(containers: ["app"], initContainers: ["log", "i1"], sidecars: ["log"], policy: .never)
        let cases: [([ObservedContainer], Want)] = [
            ([], Want(inits: ["log"])),
            // Waiting for the sidecar's startup probe.
            ([seen("log", running(), started: false)], Want()),
            ([seen("log", running())], Want(inits: ["i1"])),
            ([seen("log", running()), seen("i1", running())], Want()),
            ([seen("log", running()), seen("i1", exited(0))], Want(start: ["app"])),
            // Sidecar crashed during initialization: restart it, even under Never.
            ([seen("log", exited(1)), seen("i1", running())], Want(inits: ["log"])),
            ([seen("log", exited(0)), seen("i1", exited(0)), seen("app", running())], Want(inits: ["log"])),
            ([seen("log", running()), seen("i1", exited(0)), seen("app", running())], Want()),
            // The job is done: stop the pod, do not restart the sidecar.
            ([seen("log", exited(1)), seen("i1", exited(0)), seen("app", exited(0))], Want(killPod: true)),
            ([seen("log", running()), seen("i1", exited(0)), seen("app", exited(0))], Want(killPod: true)),
            // Startup probe failed: kill and restart it.
            ([seen("log", running(), started: false, probe: .startup)], Want(inits: ["log"], kill: ["log"])),
            ([seen("log", running(), probe: .liveness), seen("i1", exited(0)), seen("app", running())], Want(inits: ["log"], kill: ["log"])),
        ]
        for (i, (containers, want)) in cases.enumerated() {
            let observed = ObservedPod(sandboxReady: true, containers: Dictionary(uniqueKeysWithValues: containers.map { ($0.name, $0) }))
            check(actions(pod, observed), want, "case \(i)")
        }
        let backoff = ["log": BackOffWindow(delay: 20, remaining: 11)]
        let crashed = observe(seen("log", exited(1)), seen("i1", exited(0)), seen("app", running()))
        check(actions(pod, crashed, backoff: backoff), Want(backingOff: ["log"], waitUntil: 11), "sidecar back-off")
    }

    func testFailedProbesKillRunningContainers() {
        let always = actions(makePod(policy: .always), observe(seen("app", running(), probe: .liveness)))
        check(always, Want(start: ["app"], kill: ["app"]), "restart after kill")
        XCTAssertEqual(always.containersToKill.first?.message, "Container app failed liveness probe, will be restarted")
        XCTAssertEqual(always.containersToKill.first?.probe, .liveness)

        let never = actions(makePod(policy: .never), observe(seen("app", running(), probe: .startup)))
        check(never, Want(killPod: true, kill: ["app"]), "Never: killed and the pod is done")
        XCTAssertEqual(never.containersToKill.first?.message, "Container app failed startup probe")
    }

    func testConvenienceAccessors() {
        let plan = actions(makePod(initContainers: ["i1"]), observe())
        XCTAssertEqual(plan.initContainerToStart, "i1")
        XCTAssertFalse(plan.isEmpty)
        XCTAssertTrue(actions(makePod(), observe(seen("app", running()))).isEmpty)
    }
}
