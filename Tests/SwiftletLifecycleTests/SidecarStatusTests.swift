import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class SidecarStatusTests: XCTestCase {
    let pod = makePod(containers: ["app"], initContainers: ["proxy"], sidecars: ["proxy"], policy: .never)

    func testSidecarPhasesAndConditions() {
        struct Case {
            var proxy: ObservedContainer
            var app: ObservedContainer?
            var backoff: [String: BackOffWindow] = [:]
            var phase: PodPhase
            var proxyState: String
            var initialized: ConditionStatus
            var containersReady: ConditionStatus
        }
        let cases: [Case] = [
            // Started sidecar lets the pod initialize; the app is not created yet.
            Case(proxy: seen("proxy", running()), app: nil, phase: .pending, proxyState: "running", initialized: .true, containersReady: .false),
            // Startup probe pending: still initializing.
            Case(proxy: seen("proxy", running(), started: false), app: nil, phase: .pending, proxyState: "running", initialized: .false, containersReady: .false),
            Case(proxy: seen("proxy", running()), app: seen("app", running()), phase: .running, proxyState: "running", initialized: .true, containersReady: .true),
            // A sidecar that is not ready keeps the pod unready but Running.
            Case(proxy: seen("proxy", running(), ready: false), app: seen("app", running()), phase: .running, proxyState: "running", initialized: .true, containersReady: .false),
            // Crashed sidecar under pod restartPolicy Never still restarts: CrashLoopBackOff, phase untouched.
            Case(proxy: seen("proxy", exited(1, 1), previous: exited(1, 0, at: 1)), app: seen("app", running()),
                 backoff: ["proxy": BackOffWindow(delay: 10, remaining: 4)], phase: .running, proxyState: "waiting:CrashLoopBackOff", initialized: .true, containersReady: .false),
            // Job done, sidecar still running: Running until the sidecar is stopped.
            Case(proxy: seen("proxy", running()), app: seen("app", exited(0)), phase: .running, proxyState: "running", initialized: .true, containersReady: .false),
            // Sidecar stopped after the job: its exit code does not matter.
            Case(proxy: seen("proxy", exited(143)), app: seen("app", exited(0)), phase: .succeeded, proxyState: "terminated:Error", initialized: .true, containersReady: .false),
            Case(proxy: seen("proxy", exited(0)), app: seen("app", exited(2)), phase: .failed, proxyState: "terminated:Completed", initialized: .true, containersReady: .false),
        ]
        for (i, c) in cases.enumerated() {
            var containers = [c.proxy]
            if let app = c.app { containers.append(app) }
            let observed = ObservedPod(sandboxReady: true, containers: Dictionary(uniqueKeysWithValues: containers.map { ($0.name, $0) }))
            let deleting = c.app?.current?.exitCode != nil && c.proxy.current?.exitCode != nil
            let result = status(pod, observed, backoff: c.backoff, deleting: deleting)
            XCTAssertEqual(result.phase, c.phase, "case \(i)")
            XCTAssertEqual(result.container("proxy")?.state.summary, c.proxyState, "case \(i)")
            XCTAssertEqual(result.condition(.initialized)?.status, c.initialized, "case \(i)")
            XCTAssertEqual(result.condition(.containersReady)?.status, c.containersReady, "case \(i)")
        }
    }

    func testUnreadyMessageListsSidecarsFirst() {
        let result = status(pod, observe(seen("proxy", running(), ready: false), seen("app", running(), ready: false)))
        XCTAssertEqual(result.condition(.containersReady)?.message, "containers with unready status: [proxy app]")
        XCTAssertEqual(result.condition(.initialized)?.status, .true)
    }

    func testSidecarWaitingMessage() {
        let result = status(pod, observe(sandbox: false))
        XCTAssertEqual(result.condition(.initialized)?.message, "containers with incomplete status: [proxy]")
        XCTAssertEqual(result.container("proxy")?.state, .waiting("PodInitializing"))
        XCTAssertEqual(result.phase, .pending)
    }
}
