import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// restartPolicy × exit code × app/init container × in back-off → phase, state, lastState, restarts.
final class PodPhaseTableTests: XCTestCase {
    enum Kind { case app, initContainer }

    struct Row {
        var policy: RestartPolicy
        var kind: Kind
        var exit: Int32
        var inBackOff: Bool
        var phase: PodPhase
        var state: String
        var lastState: String
        var restartCount: Int32
    }

    let rows: [Row] = [
        // First exit of a regular container: the first crash restarts at once, so no back-off yet.
        Row(policy: .always, kind: .app, exit: 0, inBackOff: false, phase: .running, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .always, kind: .app, exit: 1, inBackOff: false, phase: .running, state: "terminated:Error", lastState: "none", restartCount: 0),
        Row(policy: .onFailure, kind: .app, exit: 0, inBackOff: false, phase: .succeeded, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .onFailure, kind: .app, exit: 1, inBackOff: false, phase: .running, state: "terminated:Error", lastState: "none", restartCount: 0),
        Row(policy: .never, kind: .app, exit: 0, inBackOff: false, phase: .succeeded, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .never, kind: .app, exit: 1, inBackOff: false, phase: .failed, state: "terminated:Error", lastState: "none", restartCount: 0),
        // Later exits, inside the back-off window: CrashLoopBackOff only where a restart will come.
        Row(policy: .always, kind: .app, exit: 0, inBackOff: true, phase: .running, state: "waiting:CrashLoopBackOff", lastState: "terminated:Completed", restartCount: 2),
        Row(policy: .always, kind: .app, exit: 1, inBackOff: true, phase: .running, state: "waiting:CrashLoopBackOff", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .onFailure, kind: .app, exit: 0, inBackOff: true, phase: .succeeded, state: "terminated:Completed", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .onFailure, kind: .app, exit: 1, inBackOff: true, phase: .running, state: "waiting:CrashLoopBackOff", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .never, kind: .app, exit: 0, inBackOff: true, phase: .succeeded, state: "terminated:Completed", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .never, kind: .app, exit: 1, inBackOff: true, phase: .failed, state: "terminated:Error", lastState: "terminated:Error", restartCount: 2),
        // A regular init container; the app container has not run.
        Row(policy: .always, kind: .initContainer, exit: 0, inBackOff: false, phase: .pending, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .always, kind: .initContainer, exit: 1, inBackOff: false, phase: .pending, state: "terminated:Error", lastState: "none", restartCount: 0),
        Row(policy: .onFailure, kind: .initContainer, exit: 0, inBackOff: false, phase: .pending, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .onFailure, kind: .initContainer, exit: 1, inBackOff: false, phase: .pending, state: "terminated:Error", lastState: "none", restartCount: 0),
        Row(policy: .never, kind: .initContainer, exit: 0, inBackOff: false, phase: .pending, state: "terminated:Completed", lastState: "none", restartCount: 0),
        Row(policy: .never, kind: .initContainer, exit: 1, inBackOff: false, phase: .failed, state: "terminated:Error", lastState: "none", restartCount: 0),
        Row(policy: .always, kind: .initContainer, exit: 0, inBackOff: true, phase: .pending, state: "terminated:Completed", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .always, kind: .initContainer, exit: 1, inBackOff: true, phase: .pending, state: "waiting:CrashLoopBackOff", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .onFailure, kind: .initContainer, exit: 1, inBackOff: true, phase: .pending, state: "waiting:CrashLoopBackOff", lastState: "terminated:Error", restartCount: 2),
        Row(policy: .never, kind: .initContainer, exit: 1, inBackOff: true, phase: .failed, state: "terminated:Error", lastState: "terminated:Error", restartCount: 2),
    ]

    func testTable() {
        for row in rows {
            let name = row.kind == .app ? "app" : "init1"
            let pod = makePod(initContainers: row.kind == .app ? [] : ["init1"], policy: row.policy)
            let current = exited(row.exit, row.inBackOff ? 2 : 0, at: 8)
            let previous = row.inBackOff ? exited(1, 1, at: 3) : nil
            let windows = row.inBackOff ? [name: BackOffWindow(delay: 20, remaining: 18)] : [:]
            let result = status(pod, observe(seen(name, current, previous: previous)), backoff: windows)
            let label = "\(row.policy) \(row.kind) exit=\(row.exit) backoff=\(row.inBackOff)"
            XCTAssertEqual(result.phase, row.phase, label)
            let cs = result.container(name)
            XCTAssertEqual(cs?.state.summary, row.state, label)
            XCTAssertEqual(cs?.lastState.summary, row.lastState, label)
            XCTAssertEqual(cs?.restartCount, row.restartCount, label)
            if row.kind == .initContainer {
                XCTAssertEqual(result.container("app")?.state.summary, "waiting:PodInitializing", label)
            }
        }
    }

    func testUnsetRestartPolicyMeansAlways() {
        let pod = makePod(policy: nil)
        let result = status(pod, observe(seen("app", exited(0, 1), previous: exited(0, 0, at: 2))), backoff: ["app": BackOffWindow(delay: 10, remaining: 5)])
        XCTAssertEqual(result.phase, .running)
        XCTAssertEqual(result.container("app")?.state.summary, "waiting:CrashLoopBackOff")
    }
}
