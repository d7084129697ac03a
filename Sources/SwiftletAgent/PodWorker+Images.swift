import Foundation
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// The image a container runs, pulled first when its pull policy asks for it, with the kubelet's
    /// events (`Pulling`, `Pulled`). The pull awaits outside the actor, so other pods' workers (and this
    /// one's status queries) go on meanwhile.
    func ensureImage(_ container: Container, field: String) async throws -> ImageRecord {
        let runtime = self.runtime
        let reference = container.image ?? ""
        // Read at every start attempt, as the kubelet's SyncPod does (its warning even when no pull follows).
        let secrets = await pullSecrets()
        if let present = try await offload({ try runtime.presentImage(container) }) {
            await events.record(
                pod, reason: "Pulled", message: "Container image \"\(reference)\" already present on machine", fieldPath: field)
            return present
        }
        let credentials = try runtime.pullCredentials(image: reference, pullSecrets: secrets)
        // The kubelet publishes the pod's status before SyncPod pulls, so the API shows the container
        // waiting (ContainerCreating, or the last pull failure on a retry) for as long as the pull runs.
        status = computeStatus(await observe(), deleting: false)
        await publishCurrent()
        await events.record(pod, reason: "Pulling", message: "Pulling image \"\(reference)\"", fieldPath: field)
        let started = Date()
        let clock = ContinuousClock.now
        let image: ImageRecord
        do {
            image = try await runtime.pullImage(container, credentials: credentials)
        } catch {
            metrics?.imagePull(result: "failure", duration: nil)
            throw error
        }
        metrics?.imagePull(result: "success", duration: ContinuousClock.now - clock)
        let seconds = Date().timeIntervalSince(started)
        let took = GoDuration.format(seconds)
        await events.record(
            pod, reason: "Pulled",
            message: "Successfully pulled image \"\(reference)\" in \(took) (\(took) including waiting). Image size: \(image.size) bytes.",
            fieldPath: field)
        return image
    }

    /// The kubelet's `getPullSecretsForPod`: the Secrets `spec.imagePullSecrets` names, in order. A
    /// missing one is not fatal: the event `FailedToRetrieveImagePullSecret` says so and the pull goes
    /// on with the others (or anonymously). Entries with an empty name are skipped silently.
    func pullSecrets() async -> [DockerKeyring.PullSecret] {
        let names = (pod.spec.imagePullSecrets ?? []).compactMap(\.name).filter { !$0.isEmpty }
        guard !names.isEmpty else { return [] }
        let secrets = await configObjects(pod.namespace).secrets
        var found: [DockerKeyring.PullSecret] = []
        var missing: [String] = []
        for name in names {
            guard let secret = secrets[name] else {
                missing.append(name)
                continue
            }
            found.append(DockerKeyring.PullSecret(name: name, type: secret.type ?? "Opaque", data: secret.payload))
        }
        if !missing.isEmpty {
            logger.info("\(pod.key): unable to retrieve pull secrets \(missing.joined(separator: ", ")), the image pull may not succeed")
            await events.record(
                pod, type: "Warning", reason: "FailedToRetrieveImagePullSecret",
                message: "Unable to retrieve some image pull secrets (\(missing.joined(separator: ", "))); attempting to pull the image may not succeed.")
        }
        return found
    }
}
