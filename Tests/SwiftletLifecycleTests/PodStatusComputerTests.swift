import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class PodStatusComputerTests: XCTestCase {
    func testPendingWhileContainerCreating() {
        let result = status(makePod(containers: ["a", "b"]), observe(sandbox: false))
        XCTAssertEqual(result.phase, .pending)
        XCTAssertEqual(result.container("a")?.state, .waiting("ContainerCreating"))
        XCTAssertEqual(result.container("a")?.started, false)
        XCTAssertEqual(result.container("a")?.image, "busybox")
        XCTAssertNil(result.initContainerStatuses)
        XCTAssertEqual(result.condition(.podReadyToStartContainers)?.status, .false)
        XCTAssertEqual(result.condition(.containersReady)?.message, "containers with unready status: [a b]")
        XCTAssertEqual(result.condition(.containersReady)?.reason, "ContainersNotReady")
        XCTAssertEqual(result.condition(.ready)?.message, "containers with unready status: [a b]")
        XCTAssertEqual(result.condition(.initialized)?.status, .true)
        XCTAssertEqual(result.startTime, KubeTime(at(10)))
    }

    func testRunningPodIsReadyWithConditionsInKubeletOrder() {
        var observed = observe(seen("app", running(0, since: 2)))
        observed.images["app"] = ObservedImage(image: "docker.io/library/busybox:latest", imageID: "sha256:abc")
        let result = status(makePod(), observed)
        XCTAssertEqual(result.phase, .running)
        XCTAssertEqual(
            result.conditions?.map(\.type), [.podReadyToStartContainers, .initialized, .ready, .containersReady, .podScheduled])
        XCTAssertEqual(result.conditions?.map(\.status), [.true, .true, .true, .true, .true])
        let cs = result.container("app")
        XCTAssertEqual(cs?.state, ContainerState(running: ContainerStateRunning(startedAt: KubeTime(at(2)))))
        XCTAssertEqual(cs?.ready, true)
        XCTAssertEqual(cs?.started, true)
        XCTAssertEqual(cs?.containerID, "swiftlet://u1/c/0")
        XCTAssertEqual(cs?.image, "docker.io/library/busybox:latest")
        XCTAssertEqual(cs?.imageID, "sha256:abc")
    }

    func testReadinessAndStartupProbeResults() {
        let cases: [(ready: Bool?, started: Bool?, wantReady: Bool, wantStarted: Bool)] = [
            (nil, nil, true, true), (true, nil, true, true), (false, nil, false, true),
            (true, false, false, false), (nil, true, true, true),
        ]
        for c in cases {
            let result = status(makePod(), observe(seen("app", running(), ready: c.ready, started: c.started)))
            XCTAssertEqual(result.container("app")?.ready, c.wantReady, "\(c)")
            XCTAssertEqual(result.container("app")?.started, c.wantStarted, "\(c)")
            XCTAssertEqual(result.condition(.ready)?.status, c.wantReady ? .true : .false, "\(c)")
            XCTAssertEqual(result.phase, .running, "\(c)")
        }
    }

    func testCrashLoopBackOffMessageAndLastState() {
        let observed = observe(seen("app", exited(1, 3, at: 50, reason: "OOMKilled"), previous: exited(1, 2, at: 20)))
        let result = status(makePod(), observed, backoff: ["app": BackOffWindow(delay: 40, remaining: 31)])
        let cs = result.container("app")
        XCTAssertEqual(
            cs?.state,
            .waiting("CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=web_default(u1)"))
        XCTAssertEqual(cs?.lastState.terminated?.reason, "OOMKilled")
        XCTAssertEqual(cs?.lastState.terminated?.exitCode, 1)
        XCTAssertEqual(cs?.lastState.terminated?.finishedAt, KubeTime(at(50)))
        XCTAssertEqual(cs?.lastState.terminated?.containerID, "swiftlet://u1/c/3")
        XCTAssertEqual(cs?.restartCount, 3)
        XCTAssertEqual(cs?.ready, false)
        XCTAssertEqual(result.phase, .running)

        let long = status(makePod(), observed, backoff: ["app": BackOffWindow(delay: 80, remaining: 1)])
        XCTAssertEqual(long.container("app")?.state.waiting?.message, "back-off 1m20s restarting failed container=app pod=web_default(u1)")
    }

    func testStartFailureReasons() {
        let failure = StartFailure(reason: "ErrImagePull", message: "pull access denied")
        let first = status(makePod(), observe(seen("app", nil, failure: failure)))
        XCTAssertEqual(first.container("app")?.state, .waiting("ErrImagePull", message: "pull access denied"))
        XCTAssertEqual(first.phase, .pending)

        // Failing to re-create after an exit: the exit moves to lastState, the pod stays Running.
        let config = StartFailure(reason: "CreateContainerConfigError", message: "secret missing")
        let again = status(makePod(), observe(seen("app", exited(1, 0), failure: config)))
        XCTAssertEqual(again.container("app")?.state.summary, "waiting:CreateContainerConfigError")
        XCTAssertEqual(again.container("app")?.lastState.summary, "terminated:Error")
        XCTAssertEqual(again.phase, .running)

        // Back-off wins over an older start failure; a finished Never container ignores both.
        let both = status(makePod(), observe(seen("app", exited(1, 1), failure: config)), backoff: ["app": BackOffWindow(delay: 10, remaining: 2)])
        XCTAssertEqual(both.container("app")?.state.summary, "waiting:CrashLoopBackOff")
        let never = status(makePod(policy: .never), observe(seen("app", exited(1, 0), failure: config)))
        XCTAssertEqual(never.container("app")?.state.summary, "terminated:Error")
    }

    func testRuntimeReasonsPassThrough() {
        let cases: [(Int32, String?, String)] = [(0, nil, "Completed"), (2, nil, "Error"), (137, "OOMKilled", "OOMKilled"), (128, "StartError", "StartError")]
        for (code, reason, want) in cases {
            let result = status(makePod(policy: .never), observe(seen("app", exited(code, 0, reason: reason))))
            XCTAssertEqual(result.container("app")?.state.terminated?.reason, want)
            XCTAssertEqual(result.container("app")?.state.terminated?.exitCode, code)
        }
    }

    func testInitConditionMessagesAndPodInitializing() {
        let pod = makePod(containers: ["a", "b"], initContainers: ["init1", "init2"])
        let result = status(pod, observe(seen("init1", running())))
        XCTAssertEqual(result.phase, .pending)
        XCTAssertEqual(result.condition(.initialized)?.status, .false)
        XCTAssertEqual(result.condition(.initialized)?.reason, "ContainersNotInitialized")
        XCTAssertEqual(result.condition(.initialized)?.message, "containers with incomplete status: [init1 init2]")
        XCTAssertEqual(result.container("init1")?.state.summary, "running")
        XCTAssertEqual(result.container("init1")?.ready, false)
        XCTAssertEqual(result.container("init2")?.state, .waiting("PodInitializing"))
        XCTAssertEqual(result.container("a")?.state, .waiting("PodInitializing"))
        XCTAssertEqual(result.initContainerStatuses?.map(\.name), ["init1", "init2"])
        XCTAssertEqual(result.containerStatuses?.map(\.name), ["a", "b"])

        let oneDone = status(pod, observe(seen("init1", exited(0)), seen("init2", running())))
        XCTAssertEqual(oneDone.condition(.initialized)?.message, "containers with incomplete status: [init2]")
        XCTAssertEqual(oneDone.container("init1")?.ready, true)

        let done = status(pod, observe(seen("init1", exited(0)), seen("init2", exited(0)), seen("a", running()), seen("b", running())))
        XCTAssertEqual(done.condition(.initialized)?.status, .true)
        XCTAssertNil(done.condition(.initialized)?.reason)
        XCTAssertEqual(done.phase, .running)
    }

    func testInitContainerRecordLostAfterInitializationIsCompleted() {
        let pod = makePod(initContainers: ["init1"])
        let result = status(pod, observe(seen("app", running())))
        XCTAssertEqual(result.container("init1")?.state.terminated?.reason, "Completed")
        XCTAssertEqual(result.container("init1")?.state.terminated?.exitCode, 0)
        XCTAssertEqual(result.phase, .running)
    }

    func testSucceededConditions() {
        let result = status(makePod(policy: .never), observe(seen("app", exited(0))))
        XCTAssertEqual(result.phase, .succeeded)
        XCTAssertEqual(result.condition(.containersReady)?.reason, "PodCompleted")
        XCTAssertEqual(result.condition(.ready)?.reason, "PodCompleted")
        XCTAssertEqual(result.condition(.initialized)?.reason, "PodCompleted")
        XCTAssertEqual(result.condition(.initialized)?.status, .true)

        let failed = status(makePod(policy: .never), observe(seen("app", exited(3))))
        XCTAssertEqual(failed.condition(.ready)?.reason, "PodFailed")
        XCTAssertNil(failed.condition(.ready)?.message)
    }

    func testTransitionTimesKeptWhileStatusUnchanged() {
        let pod = makePod()
        let first = status(pod, observe(seen("app", running())), now: 10)
        let second = status(pod, observe(seen("app", running())), previous: first, now: 20)
        XCTAssertEqual(second.condition(.ready)?.lastTransitionTime, KubeTime(at(10)))
        XCTAssertEqual(second.startTime, KubeTime(at(10)))
        let third = status(pod, observe(seen("app", exited(1, 0))), previous: second, now: 30)
        XCTAssertEqual(third.condition(.ready)?.lastTransitionTime, KubeTime(at(30)))
        XCTAssertEqual(third.condition(.podScheduled)?.lastTransitionTime, KubeTime(at(10)))
        XCTAssertEqual(third.startTime, KubeTime(at(10)))
    }

    func testTerminalPhaseIsSticky() {
        var previous = PodStatus(phase: .failed)
        previous.reason = "Evicted"
        let result = status(makePod(), observe(seen("app", running())), previous: previous)
        XCTAssertEqual(result.phase, .failed)
        XCTAssertEqual(result.reason, "Evicted")

        var pod = makePod()
        pod.status = PodStatus(phase: .succeeded)
        XCTAssertEqual(status(pod, observe(seen("app", running()))).phase, .succeeded)
    }

    func testDeletingPodBecomesTerminalWithoutCrashLoop() {
        let cases: [(Int32, PodPhase)] = [(0, .succeeded), (143, .failed)]
        for (code, phase) in cases {
            let observed = observe(seen("app", exited(code, 1), previous: exited(1, 0, at: 1)))
            let result = status(makePod(policy: .always), observed, backoff: ["app": BackOffWindow(delay: 10, remaining: 9)], deleting: true)
            XCTAssertEqual(result.phase, phase, "exit \(code)")
            XCTAssertNotNil(result.container("app")?.state.terminated, "exit \(code)")
            var pod = makePod(policy: .always)
            pod.metadata.deletionTimestamp = KubeTime(at(0))
            XCTAssertEqual(status(pod, observed).phase, phase, "deletionTimestamp, exit \(code)")
        }
        // Static pods too (deliberately unlike the kubelet's TODO #116484).
        var staticPod = makePod(policy: .always)
        staticPod.metadata.annotations = ["kubernetes.io/config.source": "file"]
        XCTAssertEqual(status(staticPod, observe(seen("app", exited(0))), deleting: true).phase, .succeeded)
    }

    func testVanishedRunningContainerIsReportedStopped() {
        let previous = status(makePod(), observe(seen("app", running(2))))
        let result = status(makePod(), observe(sandbox: false), previous: previous)
        let cs = result.container("app")
        XCTAssertEqual(cs?.state, .waiting("ContainerCreating"))
        XCTAssertEqual(cs?.lastState.terminated?.reason, "ContainerStatusUnknown")
        XCTAssertEqual(cs?.lastState.terminated?.exitCode, 137)
        XCTAssertEqual(cs?.restartCount, 3)
        XCTAssertEqual(result.phase, .running)

        // A terminated status is kept as it was.
        let ended = status(makePod(policy: .never), observe(seen("app", exited(4))))
        let later = status(makePod(policy: .never), observe(), previous: ended)
        XCTAssertEqual(later.container("app")?.state.terminated?.exitCode, 4)
        XCTAssertEqual(later.phase, .failed)
    }
}
