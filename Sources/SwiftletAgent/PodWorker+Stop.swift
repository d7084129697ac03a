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

    /// Stops every running container within one grace period, ordered as the kubelet's
    /// `killContainersWithSyncResult` with its termination ordering (KEP-753): every container's
    /// kill starts at once; regular containers run their preStop and get their stop signal; a
    /// sidecar runs its preStop at once too, then waits until every regular container and every
    /// sidecar declared after it has exited (so sidecars stop in reverse spec order), and still
    /// gets the 2 s minimum between its stop signal and SIGKILL when the wait used the period up.
    func stopAllContainers(grace: TimeInterval) async {
        let grace = Self.effectiveGrace(grace)
        let deadline = Date().addingTimeInterval(grace)
        let sidecars = (pod.spec.initContainers ?? []).filter(\.isRestartableInit).map(\.name)
        let observed = await observe()
        let running = Set(observed.containers.values.filter { $0.current?.isRunning ?? false }.map(\.name))
        // Regular init containers still running (a pod deleted while initializing) stop like app containers.
        let regular = ((pod.spec.initContainers ?? []).map(\.name) + pod.spec.containers.map(\.name))
            .filter { running.contains($0) && !sidecars.contains($0) }
        let runningSidecars = sidecars.filter(running.contains)
        await withTaskGroup(of: Void.self) { group in
            for name in regular {
                group.addTask { await self.stop([name], deadline: deadline) }
            }
            for (index, name) in runningSidecars.enumerated() {
                let before = regular + runningSidecars[(index + 1)...]
                group.addTask { await self.stopSidecar(name, after: before, deadline: deadline, grace: grace) }
            }
        }
    }

    /// A sidecar's part of `stopAllContainers`: preStop, the wait for its turn, then the signal.
    func stopSidecar(_ name: String, after others: [String], deadline: Date, grace: TimeInterval) async {
        await events.record(pod, reason: "Killing", message: "Stopping container \(name)", fieldPath: fieldPath(name))
        _ = await runPreStops([name], deadline: deadline)
        var waiting = others
        while !waiting.isEmpty && Date() < deadline {
            try? await Task.sleep(nanoseconds: 50_000_000)
            let observed = await observe()
            waiting = waiting.filter { observed.containers[$0]?.current?.isRunning ?? false }
        }
        // A zero grace period asked for SIGKILL at once; anything else leaves the signal its 2 s.
        let signalDeadline = grace <= 0 ? deadline : max(deadline, Date().addingTimeInterval(Self.minimumGrace))
        await signalAndWait([name], deadline: signalDeadline)
    }

    func stopContainer(_ name: String, grace: TimeInterval, message: String) async {
        await events.record(pod, reason: "Killing", message: message, fieldPath: fieldPath(name))
        await stop([name], deadline: Date().addingTimeInterval(Self.effectiveGrace(grace)), recordEvent: false)
    }

    /// preStop, the stop signal, wait until `deadline`, then SIGKILL whatever is left.
    func stop(_ names: [String], deadline: Date, recordEvent: Bool = true) async {
        guard !names.isEmpty else { return }
        var deadline = deadline
        if recordEvent {
            // The kubelet records Killing before it runs the preStop hook.
            for name in names {
                await events.record(pod, reason: "Killing", message: "Stopping container \(name)", fieldPath: fieldPath(name))
            }
        }
        // preStop hooks first, inside the grace period; the stop signal then still gets the
        // kubelet's minimum grace when the hooks used the period up.
        if await runPreStops(names, deadline: deadline) {
            deadline = max(deadline, Date().addingTimeInterval(Self.minimumGrace))
        }
        await signalAndWait(names, deadline: deadline)
    }

    /// The stop signal (SIGKILL when `deadline` has passed), wait until `deadline`, then SIGKILL.
    func signalAndWait(_ names: [String], deadline: Date) async {
        let runtime = self.runtime, uid = self.uid
        let expired = deadline <= Date()
        for name in names {
            let signal = expired ? SIGKILL : stopSignal(of: name)
            _ = await offload { runtime.signalContainer(uid: uid, container: name, signal: signal) }
        }
        var remaining = names
        while !remaining.isEmpty && Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
            let observed = await observe()
            remaining = remaining.filter { observed.containers[$0]?.current?.isRunning ?? false }
        }
        // An expired deadline sent SIGKILL already; a second one is only another round trip to the pause.
        for name in remaining where !expired {
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
