import Foundation
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// Reads the run records into the planner's view of the pod.
    func observe() async -> ObservedPod {
        let runtime = self.runtime
        let uid = self.uid
        let pod = self.pod
        let known = sandboxRecord, generation = sandboxGeneration
        let (attempts, record, sandboxAlive) = await offload { () -> ([String: [ObservedAttempt]], SandboxRecord, Bool) in
            let record = known ?? runtime.sandboxRecord(uid: uid)
            return (runtime.observeAttempts(pod: pod), record, record.pause?.isAlive ?? false)
        }
        if generation == sandboxGeneration { sandboxRecord = record }
        if podIPs == nil && sandboxAlive { podIPs = record.podIPs }
        // A sandbox whose network is not (or no longer) set up, or whose creation an agent crash cut
        // short, is not ready: the planner replaces it.
        var observed = ObservedPod(sandboxReady: sandboxAlive && record.networkReady && record.complete && !finished)
        let now = Date()
        for container in (pod.spec.initContainers ?? []) + pod.spec.containers {
            let runs = attempts[container.name] ?? []
            var entry = ObservedContainer(name: container.name)
            entry.current = runs.last.map { Self.run($0, uid: uid, name: container.name, sandboxAlive: sandboxAlive, now: now) }
            if runs.count > 1 {
                entry.previous = Self.run(runs[runs.count - 2], uid: uid, name: container.name, sandboxAlive: sandboxAlive, now: now)
            }
            entry.lastStartFailure = startFailures[container.name]
            updateProbes(container, newest: runs.last, sandboxAlive: sandboxAlive, into: &entry)
            observed.containers[container.name] = entry
            if images[container.name] == nil && entry.current != nil {
                // Started by an earlier agent: the image (its STOPSIGNAL above all) from the store, once.
                images[container.name] = await adoptedImage(container)
            }
            observed.images[container.name] =
                images[container.name] ?? ObservedImage(image: container.image ?? "", imageID: "")
        }
        return observed
    }

    /// The image a re-adopted container runs, as far as the store still has it.
    func adoptedImage(_ container: Container) async -> ObservedImage {
        let runtime = self.runtime, reference = container.image ?? ""
        guard let record = await offload({ try? runtime.presentImage(container) }) ?? nil else {
            return ObservedImage(image: reference, imageID: "")
        }
        return ObservedImage(
            image: (try? normalizeImageReference(reference)) ?? reference, imageID: record.statusImageID(for: reference),
            stopSignal: record.config.stopSignal)
    }

    static func run(_ attempt: ObservedAttempt, uid: String, name: String, sandboxAlive: Bool, now: Date) -> ContainerRun {
        let id = PodRuntime.containerID(uid: uid, container: name, attempt: attempt.attempt)
        let state: ContainerRun.State
        if let exit = attempt.exit {
            if let error = attempt.startError {
                state = .exited(
                    exitCode: exit.exitCode, signal: nil, finishedAt: exit.finishedAt, reason: "StartError", message: error)
            } else {
                state = .exited(
                    exitCode: exit.exitCode, signal: exit.signal, finishedAt: exit.finishedAt, reason: exit.reason,
                    message: exit.message.flatMap { $0.isEmpty ? nil : $0 })
            }
        } else if sandboxAlive {
            state = .running
        } else {
            // The sandbox is gone without recording this exit: the kubelet's synthesized status.
            state = .exited(
                exitCode: 137, signal: nil, finishedAt: now, reason: "ContainerStatusUnknown",
                message: "The container could not be located when the pod was terminated")
        }
        return ContainerRun(attempt: attempt.attempt, startedAt: attempt.startedAt, state: state, containerID: id)
    }

    func backoffWindow(_ name: String, observed: ObservedPod, now: Date) -> BackOffWindow? {
        guard let container = container(named: name), let finishedAt = observed.containers[name]?.current?.finishedAt
        else { return nil }
        return backoff.window(for: RestartBackoff.key(pod: pod, container: container), since: finishedAt, now: now)
    }

    func container(named name: String) -> Container? {
        (pod.spec.initContainers ?? []).first { $0.name == name } ?? pod.spec.containers.first { $0.name == name }
    }

    func computeStatus(_ observed: ObservedPod, deleting: Bool) -> PodStatus {
        let now = Date()
        if let terminalReason, let evictionMessage {
            // Rejected at admission: nothing ran, the status is rejectPod's alone.
            return PodStatusComputer.rejectedPodStatus(
                pod: pod, reason: terminalReason, message: evictionMessage, previous: self.status, now: now)
        }
        var status = PodStatusComputer.computePodStatus(
            pod: pod, observed: observed, previous: self.status,
            backoff: { [self] name in backoffWindow(name, observed: observed, now: now) }, deleting: deleting, now: now)
        status.qosClass = podQOSClass(pod).rawValue
        if let evictionMessage {
            status.phase = .failed
            status.reason = "Evicted"
            status.message = evictionMessage
        }
        if deadlineExceeded {
            status.phase = .failed
            status.reason = PodActiveDeadline.reason
            status.message = PodActiveDeadline.message
        }
        if let hostIP {
            status.hostIP = hostIP
            status.hostIPs = [HostIP(ip: hostIP)]
        }
        // Host-network pods have the node's IP (the kubelet's generateAPIPodStatus).
        let ips = pod.spec.hostNetwork == true ? hostIP.map { [$0] } ?? [] : podIPs ?? []
        status.podIP = ips.first
        status.podIPs = ips.isEmpty ? nil : ips.map { HostIP(ip: $0) }
        return status
    }
}

extension PodWorker {
    /// CNI CHECK of a sandbox this agent did not create (re-adopted after a restart). A failure is
    /// reported as a warning event and the pod keeps running: CHECK also fails for harmless drift
    /// (the bridge plugin compares the bridge's MAC, which changes with its ports unless pinned),
    /// and killing every pod after an agent restart would break the promise that pods outlive it.
    func checkAdoptedNetwork() async {
        let runtime = self.runtime, uid = self.uid
        let outcome: RuntimeError? = await offload {
            do throws(RuntimeError) { try runtime.checkNetwork(uid: uid) } catch { return error }
            return nil
        }
        guard let error = outcome else { return }
        logger.warning("\(pod.key): \(error.message)")
        await events.record(pod, type: "Warning", reason: "FailedCheckPodNetwork", message: error.message)
    }
}
