import Foundation
import SwiftletKube
import SwiftletLaunch
import SwiftletLifecycle
import SwiftletRuntime

/// Env and volume mounts of a container start, from the agent's ConfigMaps and Secrets.
extension PodWorker {
    struct ContainerConfig {
        var env: [EnvVar]
        var mounts: [LaunchSpec.VolumeMount]
    }

    /// The kubelet's `generateContainerConfig` for env and mounts: a missing ConfigMap, Secret or
    /// key is `CreateContainerConfigError` with the kubelet's message.
    func containerConfig(_ container: Container) async throws -> ContainerConfig {
        let objects = await configObjects(pod.namespace)
        let resolved: EnvResolver.Result
        do {
            resolved = try EnvResolver.resolve(
                pod: pod, container: container, status: status, objects: objects, allocatable: node.allocatable)
        } catch {
            throw RuntimeError(ContainerConfigError.reason, error.message)
        }
        for warning in resolved.skipped {
            await events.record(pod, type: "Warning", reason: "InvalidEnvironmentVariableNames", message: warning)
        }
        return ContainerConfig(env: resolved.variables, mounts: try volumeMounts(for: container, env: resolved.map))
    }

    /// A ConfigMap or Secret of the pod's namespace changed: a container waiting on one is tried
    /// again now (not after its back-off), and volumes are refreshed by the sync.
    func configChanged() {
        for (name, failure) in startFailures where failure.reason == ContainerConfigError.reason {
            startFailureTimes[name] = nil
        }
        requestSync()
    }
}
