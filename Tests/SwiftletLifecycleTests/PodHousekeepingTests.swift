import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class PodHousekeepingTests: XCTestCase {
    private func status(_ phase: PodPhase, app: ContainerState?, proxy: ContainerState? = nil) -> PodStatus {
        var status = PodStatus(phase: phase)
        status.containerStatuses = app.map { [ContainerStatus(name: "app", state: $0)] }
        status.initContainerStatuses = proxy.map { [ContainerStatus(name: "proxy", state: $0)] }
        return status
    }

    private let up = ContainerState(running: ContainerStateRunning(startedAt: nil))
    private let done = ContainerState(terminated: ContainerStateTerminated(exitCode: 0))
    private let failed = ContainerState(terminated: ContainerStateTerminated(exitCode: 1))
    private let waiting = ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff"))

    private func policy(
        synced: Bool = true, finished: Bool = false, deleting: Bool = false, admitted: Bool = true, failing: Bool = false,
        alive: Bool? = true, ticks: Int = 1, resync: Int = 30
    ) -> PodHousekeeping {
        PodHousekeeping(
            synced: synced, finished: finished, deleting: deleting, admitted: admitted, failing: failing, sandboxAlive: alive,
            ticksSinceSync: ticks, resyncTicks: resync)
    }

    func testSyncReasons() {
        let plain = makePod()
        let withInit = makePod(initContainers: ["proxy"])
        let withSidecar = makePod(initContainers: ["proxy"], sidecars: ["proxy"])
        var withConfigMap = makePod()
        var volume = Volume(name: "config")
        volume.configMap = ConfigMapVolumeSource(name: "settings")
        withConfigMap.spec.volumes = [volume]
        var withLimitedEmptyDir = makePod()
        var scratch = Volume(name: "scratch")
        scratch.emptyDir = EmptyDirVolumeSource(sizeLimit: try? Quantity(parsing: "1Mi"))
        withLimitedEmptyDir.spec.volumes = [scratch]
        var withPlainEmptyDir = makePod()
        var plainScratch = Volume(name: "scratch")
        plainScratch.emptyDir = EmptyDirVolumeSource()
        withPlainEmptyDir.spec.volumes = [plainScratch]

        let steady = status(.running, app: up)
        let cases: [(String, PodHousekeeping, Pod, PodStatus?, PodHousekeeping.Reason?)] = [
            ("steady pod: nothing to do", policy(), plain, steady, nil),
            ("steady pod with a plain emptyDir", policy(), withPlainEmptyDir, steady, nil),
            ("init container done, app running", policy(), withInit, status(.running, app: up, proxy: done), nil),
            ("sidecar and app running", policy(), withSidecar, status(.running, app: up, proxy: up), nil),
            ("finished pod: nothing to do", policy(finished: true, alive: false), plain, status(.succeeded, app: done), nil),
            ("never synced", policy(synced: false, alive: nil), plain, nil, .notSynced),
            ("sync frequency up", policy(ticks: 30), plain, steady, .resync),
            ("sync frequency up, finished pod too", policy(finished: true, ticks: 31), plain, status(.failed, app: failed), .resync),
            ("resync of 0 ticks means every tick", policy(ticks: 1, resync: 0), plain, steady, .resync),
            ("pause process gone", policy(alive: false), plain, steady, .sandboxGone),
            ("sandbox record not read", policy(alive: nil), plain, steady, .notSteady),
            ("being deleted", policy(deleting: true), plain, steady, .notSteady),
            ("waiting for admission", policy(admitted: false), plain, status(.pending, app: nil), .notSteady),
            ("start or volume failure pending", policy(failing: true), plain, steady, .notSteady),
            ("pending", policy(), plain, status(.pending, app: nil), .notSteady),
            ("no status yet", policy(), plain, nil, .notSteady),
            ("app restarting", policy(), plain, status(.running, app: waiting), .notSteady),
            ("app missing from the status", policy(), plain, status(.running, app: nil), .notSteady),
            ("init container failed", policy(), withInit, status(.running, app: up, proxy: failed), .notSteady),
            ("sidecar not running", policy(), withSidecar, status(.running, app: up, proxy: waiting), .notSteady),
            ("configMap volume refreshed every sync", policy(), withConfigMap, steady, .volumes),
            ("emptyDir sizeLimit measured every sync", policy(), withLimitedEmptyDir, steady, .volumes),
        ]
        for (name, policy, pod, status, expected) in cases {
            XCTAssertEqual(policy.syncReason(pod: pod, status: status), expected, name)
        }
    }
}
