import Foundation
import SwiftletCgroups
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// One sync: the kubelet's SyncPod (or SyncTerminatingPod once deletion started).
    func sync() async {
        if gone { return }
        if let grace = deletionGrace {
            await terminate(grace: grace)
            return
        }
        var observed = await observe()
        if !networkChecked && !finished {
            networkChecked = true
            if observed.sandboxReady { await checkAdoptedNetwork() }
        }
        if finished {
            await publishCurrent()
            return
        }
        if await enforceActiveDeadline() { return }
        if observed.sandboxReady, let message = await emptyDirOverLimit() {
            await evict(message: message)
            return
        }
        if !admitted {
            let verdict = await admission(pod)
            let reason = verdict.reason ?? "UnknownReason", message = verdict.message ?? ""
            if !verdict.admitted, !AdmissionRejection.waits(reason: reason) {
                // A pod for another OS or other nodes never fits here: failed for good, as the kubelet's rejectPod does.
                await reject(reason: reason, message: message)
                return
            }
            guard verdict.admitted else {
                // Unlike the kubelet, which fails such a pod for good, it waits Pending and starts
                // once the pods that use the node's resources are gone.
                var pending = computeStatus(observed, deleting: false)
                pending.reason = reason
                pending.message = AdmissionRejection.statusMessage(message)
                if status?.reason != pending.reason || status?.message != pending.message {
                    await events.record(pod, type: "Warning", reason: reason, message: message)
                    await recordAdmissionWait(reason: pending.reason, message: pending.message)
                }
                status = pending
                await publishCurrent()
                scheduleWake(after: 2)
                return
            }
            admitted = true
            if let reason = status?.reason, AdmissionRejection.waits(reason: reason) {
                status?.reason = nil
                status?.message = nil
                await recordAdmissionWait(reason: nil, message: nil)
            }
        }
        let now = Date()
        let actions = PodActionPlanner.computePodActions(
            pod: pod, observed: observed, backoff: { [self] name in backoffWindow(name, observed: observed, now: now) })

        if actions.killPod && !actions.createSandbox {
            await finish()
            return
        }
        if actions.killPod && runtime.podFileExists(uid: uid) {
            // The sandbox died under the pod: clean up what is left before starting a new one.
            await events.record(pod, reason: "SandboxChanged", message: "Pod sandbox changed, it will be killed and re-created.")
            let runtime = self.runtime, uid = self.uid
            sandboxChanged()
            _ = try? await offload { try runtime.stopSandbox(uid: uid) }
            sandboxChanged()
        }
        if actions.createSandbox {
            guard await createSandbox() else {
                status = computeStatus(await observe(), deleting: false)
                await publishCurrent()
                return
            }
        }
        for kill in actions.containersToKill {
            await stopContainer(kill.name, grace: TimeInterval(pod.spec.terminationGracePeriodSeconds ?? 30), message: kill.message)
        }
        for name in actions.backingOff {
            await events.record(
                pod, type: "Warning", reason: "BackOff",
                message: "Back-off restarting failed container \(name) in pod \(pod.name)_\(pod.namespace)(\(uid))")
        }
        let volumesReady = await setUpVolumes()
        for name in actions.initContainersToStart + actions.containersToStart where volumesReady {
            await start(name, observed: observed)
        }
        observed = await observe()
        status = computeStatus(observed, deleting: false)
        await publishCurrent()
        var wake = actions.waitUntil
        for (name, failedAt) in startFailureTimes {
            if let c = container(named: name) {
                let key = RestartBackoff.key(pod: pod, container: c)
                if let w = startBackoff.window(for: key, since: failedAt, now: Date()) {
                    wake = min(wake ?? w.remaining, w.remaining)
                }
            }
        }
        if let wake { scheduleWake(after: wake + 0.001) }
    }

    /// Creates the sandbox, with back-off between failures.
    func createSandbox() async -> Bool {
        if let until = sandboxBackoffUntil, until > Date() {
            scheduleWake(after: until.timeIntervalSinceNow)
            return false
        }
        let runtime = self.runtime, pod = self.pod
        do {
            let limits = CgroupLimits(CgroupResources.pod(pod, podPidsLimit: podPidsLimit))
            sandboxChanged()
            defer { sandboxChanged() }
            let sandbox = try await offload { try runtime.createSandbox(pod: pod, podLimits: limits) }
            podIPs = sandbox.podIPs
            networkChecked = true
            for note in sandbox.notes { logger.warning("\(pod.key): \(note)") }
            for warning in sandbox.warnings {
                await events.record(pod, type: "Warning", reason: warning.reason, message: warning.message)
            }
            sandboxFailures = 0
            sandboxBackoffUntil = nil
            return true
        } catch {
            sandboxFailures += 1
            let delay = min(backoff.initial * pow(2, Double(sandboxFailures - 1)), backoff.maximum)
            sandboxBackoffUntil = Date().addingTimeInterval(delay)
            scheduleWake(after: delay)
            logger.error("sandbox of \(pod.key) failed: \(error)")
            // The kubelet's wording; the runtime's own "failed to create pod sandbox: " is not repeated.
            let detail = "\(error)"
            let prefix = "failed to create pod sandbox: "
            await events.record(
                pod, type: "Warning", reason: "FailedCreatePodSandBox",
                message: "Failed to create pod sandbox: " + (detail.hasPrefix(prefix) ? String(detail.dropFirst(prefix.count)) : detail))
            return false
        }
    }

    /// Starts the next attempt of a container, honouring crash-loop and start-failure back-off.
    func start(_ name: String, observed: ObservedPod) async {
        guard let container = container(named: name) else { return }
        let now = Date()
        let key = RestartBackoff.key(pod: pod, container: container)
        let field = "spec.\(pod.spec.containers.contains { $0.name == name } ? "containers" : "initContainers"){\(name)}"
        if let failedAt = startFailureTimes[name], startBackoff.window(for: key, since: failedAt, now: now) != nil {
            if ["ErrImagePull", "ImagePullBackOff"].contains(startFailures[name]?.reason) {
                // The kubelet's image back-off: a Normal BackOff and a Failed event on every sync it waits.
                let message = "Back-off pulling image \"\(container.image ?? "")\""
                startFailures[name] = StartFailure(reason: "ImagePullBackOff", message: message)
                await events.record(pod, reason: "BackOff", message: message, fieldPath: field)
                await events.record(pod, type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", fieldPath: field)
            }
            return
        }
        let current = observed.containers[name]?.current
        let attempt = current.map { $0.attempt + 1 } ?? 0
        if let finishedAt = current?.finishedAt {
            backoff.next(key, eventTime: finishedAt, now: now)
        }
        let runtime = self.runtime, pod = self.pod
        do {
            let image = try await ensureImage(container, field: field)
            images[name] = ObservedImage(
                image: (try? normalizeImageReference(container.image ?? "")) ?? (container.image ?? ""),
                imageID: image.statusImageID(for: container.image ?? ""), stopSignal: image.config.stopSignal)
            let limits = CgroupLimits(CgroupResources.container(container))
            let score = oomScoreAdjust(pod: pod, container: container, memoryCapacity: node.memoryBytes)
            let confinement = self.confinement
            let config = try await containerConfig(container)
            let pid = try await offload {
                let (security, program) = try confinement.launchSecurity(pod: pod, container: container, image: image)
                return try runtime.startContainer(
                    pod: pod, container: container, attempt: attempt, image: image, limits: limits, oomScoreAdj: score,
                    security: security, seccompProgram: program, resolvedEnv: config.env, volumeMounts: config.mounts)
            }
            startFailures[name] = nil
            startFailureTimes[name] = nil
            startBackoff.reset(key)
            await events.record(pod, reason: "Created", message: "Created container: \(name)", fieldPath: field)
            await events.record(pod, reason: "Started", message: "Started container \(name)", fieldPath: field)
            // The container is reported Running only once its postStart hook is done (this sync publishes after it).
            await runPostStart(container, pid: pid)
        } catch let error as RuntimeError {
            if let failedAt = startFailureTimes[name] { startBackoff.next(key, eventTime: failedAt, now: now) }
            startFailureTimes[name] = now
            startFailures[name] = StartFailure(reason: error.reason, message: error.message)
            logger.warning("\(pod.key): container \(name): \(error.reason): \(error.message)")
            // The kubelet's wording: image errors are an event of their own followed by
            // "Error: <reason>"; any other start failure is "Error: <message>".
            switch error.reason {
            case "ErrImagePull":
                await events.record(
                    pod, type: "Warning", reason: "Failed",
                    message: "Failed to pull image \"\(container.image ?? "")\": \(error.message)", fieldPath: field)
                await events.record(pod, type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath: field)
            case "ErrImageNeverPull":
                await events.record(pod, type: "Warning", reason: "ErrImageNeverPull", message: error.message, fieldPath: field)
                await events.record(pod, type: "Warning", reason: "Failed", message: "Error: ErrImageNeverPull", fieldPath: field)
            default:
                await events.record(pod, type: "Warning", reason: "Failed", message: "Error: \(error.message)", fieldPath: field)
            }
        } catch {
            startFailureTimes[name] = now
            startFailures[name] = StartFailure(reason: "CreateContainerError", message: "\(error)")
        }
    }

    /// The pod reached Succeeded or Failed: stop what still runs (sidecars), stop the sandbox,
    /// keep the final status (also on disk, for an agent restart).
    func finish() async {
        await stopAllContainers(grace: TimeInterval(pod.spec.terminationGracePeriodSeconds ?? 30))
        let runtime = self.runtime, uid = self.uid
        sandboxChanged()
        do { try await offload { try runtime.stopSandbox(uid: uid) } } catch {
            logger.error("\(pod.key): \(error)")
        }
        sandboxChanged()
        finished = true
        status = computeStatus(await observe(), deleting: true)
        if let status, let data = try? KubeJSON.encode(status) {
            let path = runtime.runDirectory(uid: uid).path + "/" + Self.finalStatusFileName
            _ = await offload { FileManager.default.createFile(atPath: path, contents: data) }
        }
        await publishCurrent()
    }

    /// Graceful deletion: stop every container within the grace period, remove the sandbox,
    /// the run records and the logs, and tell the agent the pod is gone.
    func terminate(grace: TimeInterval) async {
        await stopAllContainers(grace: grace)
        let runtime = self.runtime, pod = self.pod
        status = computeStatus(await observe(), deleting: true)
        await publishCurrent()
        sandboxChanged()
        defer { sandboxChanged() }
        do { try await offload { try runtime.removePod(pod, removeLogs: true) } } catch {
            logger.error("\(pod.key): cleanup failed: \(error)")
            await events.record(pod, type: "Warning", reason: "FailedKillPod", message: "\(error)")
            scheduleWake(after: 1)
            return
        }
        markGone()
        await removed(currentPod)
    }
}
