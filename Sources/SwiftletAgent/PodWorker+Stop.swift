import Foundation
import Glibc
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// The kubelet never waits less than this for a container to stop (`minimumGracePeriodInSeconds`).
    static let minimumGrace: TimeInterval = 2

    /// The kubelet floors every grace period at 2 s. Zero is different: the API documents it as
    /// "stop immediately via the kill signal", and a user who asks for it gets exactly that.
    static func effectiveGrace(_ grace: TimeInterval) -> TimeInterval {
        grace <= 0 ? 0 : max(grace, minimumGrace)
    }

    /// Stops every running container: regular containers first, then sidecars in reverse order
    /// (KEP-753), all within one grace period.
    func stopAllContainers(grace: TimeInterval) async {
        let deadline = Date().addingTimeInterval(Self.effectiveGrace(grace))
        let sidecars = (pod.spec.initContainers ?? []).filter(\.isRestartableInit).map(\.name)
        let observed = await observe()
        let running = observed.containers.values.filter { $0.current?.isRunning ?? false }.map(\.name)
        let regular = running.filter { !sidecars.contains($0) }
        await stop(regular, deadline: deadline)
        for sidecar in sidecars.reversed() where running.contains(sidecar) {
            // A sidecar still gets the minimum grace even when the regular containers used it all up.
            await stop([sidecar], deadline: max(deadline, Date().addingTimeInterval(Self.effectiveGrace(grace))))
        }
    }

    func stopContainer(_ name: String, grace: TimeInterval, message: String) async {
        await events.record(pod, reason: "Killing", message: message, fieldPath: fieldPath(name))
        await stop([name], deadline: Date().addingTimeInterval(Self.effectiveGrace(grace)), recordEvent: false)
    }

    /// SIGTERM, wait until `deadline`, then SIGKILL whatever is left.
    func stop(_ names: [String], deadline: Date, recordEvent: Bool = true) async {
        guard !names.isEmpty else { return }
        var deadline = deadline
        // preStop hooks first, inside the grace period; the stop signal then still gets the
        // kubelet's minimum grace when the hooks used the period up.
        if await runPreStops(names, deadline: deadline) {
            deadline = max(deadline, Date().addingTimeInterval(Self.minimumGrace))
        }
        let runtime = self.runtime, uid = self.uid
        let expired = deadline <= Date()
        for name in names {
            if recordEvent {
                await events.record(pod, reason: "Killing", message: "Stopping container \(name)", fieldPath: fieldPath(name))
            }
            let signal = expired ? SIGKILL : stopSignal(of: name)
            _ = await offload { runtime.signalContainer(uid: uid, container: name, signal: signal) }
        }
        var remaining = names
        while !remaining.isEmpty && Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
            let observed = await observe()
            remaining = remaining.filter { observed.containers[$0]?.current?.isRunning ?? false }
        }
        for name in remaining {
            _ = await offload { runtime.signalContainer(uid: uid, container: name, signal: SIGKILL) }
        }
        let killDeadline = Date().addingTimeInterval(5)
        while !remaining.isEmpty && Date() < killDeadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
            let observed = await observe()
            remaining = remaining.filter { observed.containers[$0]?.current?.isRunning ?? false }
        }
    }

    /// The number of the signal a container is stopped with: `lifecycle.stopSignal`, else its
    /// image's STOPSIGNAL, else SIGTERM.
    func stopSignal(of name: String) -> Int32 {
        let signal = container(named: name)?.effectiveStopSignal(imageStopSignal: images[name]?.stopSignal)
        return signal.flatMap { StopSignal.linuxNumbers[$0] } ?? SIGTERM
    }
}
