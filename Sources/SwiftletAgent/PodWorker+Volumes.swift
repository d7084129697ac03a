import Foundation
import SwiftletKube
import SwiftletLaunch
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletSystem

/// Pod volumes: set up before the first container starts and refreshed on every sync (a
/// ConfigMap or Secret change reaches running pods through the atomic `..data` swap);
/// mounts resolved per container start; emptyDir `sizeLimit` watched for eviction.
extension PodWorker {
    /// Sets up (or refreshes) every volume. False while one cannot be set up: containers wait in
    /// `ContainerCreating` and a `FailedMount` event says why, as on Kubernetes.
    func setUpVolumes() async -> Bool {
        guard let volumes = pod.spec.volumes, !volumes.isEmpty else { return true }
        let objects = await configObjects(pod.namespace)
        let runtime = self.runtime, uid = self.uid
        let fsGroup = pod.spec.securityContext?.fsGroup
        var failures: [String] = []
        for volume in volumes {
            do {
                let payload = try VolumePayload.make(
                    volume, pod: pod, status: status, objects: objects, allocatable: node.allocatable)
                _ = try await offload { () throws(VolumeSetupError) -> Bool in
                    try runtime.setUpVolume(uid: uid, volume: volume, payload: payload, fsGroup: fsGroup)
                }
            } catch let error as VolumeSetupError {
                failures.append(error.description)
            } catch {
                failures.append("MountVolume.SetUp failed for volume \"\(volume.name)\" : \(error)")
            }
        }
        for message in failures where !volumeFailures.contains(message) {
            logger.warning("\(pod.key): \(message)")
            await events.record(pod, type: "Warning", reason: "FailedMount", message: message)
        }
        volumeFailures = Set(failures)
        return failures.isEmpty
    }

    /// The container's mounts (the kubelet's `makeMounts`): subPathExpr expanded from its env,
    /// subPaths checked and created inside the volume without following links out of it.
    func volumeMounts(for container: Container, env: [String: String]) throws -> [LaunchSpec.VolumeMount] {
        var mounts: [LaunchSpec.VolumeMount] = []
        for mount in container.volumeMounts ?? [] {
            guard let volume = pod.spec.volumes?.first(where: { $0.name == mount.name }) else {
                throw RuntimeError(
                    ContainerConfigError.reason, "cannot find volume \"\(mount.name)\" to mount into container \"\(container.name)\"")
            }
            var subPath = mount.subPath ?? ""
            if let expr = mount.subPathExpr, !expr.isEmpty {
                var missing = Set<String>()
                var lookup = env
                // Go's mapping returns "" for a missing key and records it.
                for name in Self.references(in: expr) where (env[name] ?? "").isEmpty {
                    missing.insert(name)
                    lookup[name] = ""
                }
                if !missing.isEmpty {
                    throw RuntimeError(ContainerConfigError.reason, "missing value for \(missing.sorted().joined(separator: ", "))")
                }
                subPath = EnvExpansion.expand(expr, lookup)
                if subPath.hasPrefix("/") {
                    throw RuntimeError(ContainerConfigError.reason, "error SubPath `\(subPath)` must not be an absolute path")
                }
                if subPath.split(separator: "/").contains("..") {
                    throw RuntimeError(ContainerConfigError.reason, "unable to provision SubPath `\(subPath)`: must not contain '..'")
                }
            }
            let source = runtime.volumeSource(uid: uid, volume: volume)
            if !subPath.isEmpty {
                // Checked (and created) here for the kubelet's error; swiftlet-init walks it again
                // safely at mount time, so a link swapped in meanwhile still cannot lead out.
                do {
                    close(try SafePath.open(root: source, subPath: subPath, create: true))
                } catch {
                    logger.warning("\(pod.key): container \(container.name): subPath \(subPath): \(error)")
                    throw RuntimeError(
                        ContainerConfigError.reason,
                        "failed to prepare subPath for volumeMount \"\(mount.name)\" of container \"\(container.name)\"")
                }
            }
            let propagation: LaunchSpec.VolumeMount.Propagation
            switch mount.mountPropagation ?? "None" {
            case "HostToContainer": propagation = .rslave
            case "Bidirectional":
                throw RuntimeError(
                    "CreateContainerError",
                    "volumeMount \"\(mount.name)\": Bidirectional mount propagation is not supported by swiftlet yet")
            default: propagation = .private
            }
            // configMap, secret, downwardAPI and projected volumes are always read-only (CVE-2017-1002102).
            let alwaysReadOnly = volume.configMap != nil || volume.secret != nil || volume.downwardAPI != nil || volume.projected != nil
            mounts.append(LaunchSpec.VolumeMount(
                source: source, subPath: subPath, destination: mount.mountPath,
                readOnly: (mount.readOnly ?? false) || alwaysReadOnly, propagation: propagation))
        }
        return mounts
    }

    static func references(in expr: String) -> [String] {
        var names: [String] = []
        var rest = Substring(expr)
        while let open = rest.range(of: "$(") {
            // `$$(` is an escaped dollar, not a reference.
            if open.lowerBound > rest.startIndex, rest[rest.index(before: open.lowerBound)] == "$" {
                rest = rest[open.upperBound...]
                continue
            }
            guard let close = rest[open.upperBound...].firstIndex(of: ")") else { break }
            names.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The eviction manager's emptyDir check: a volume over its `sizeLimit` evicts the pod
    /// (a memory-backed one is full at its limit, since its tmpfs is sized to it).
    func emptyDirOverLimit() async -> String? {
        let limited = (pod.spec.volumes ?? []).filter { ($0.emptyDir?.sizeLimit?.sign ?? 0) > 0 }
        guard !limited.isEmpty else { return nil }
        let runtime = self.runtime, uid = self.uid
        for volume in limited {
            guard let limit = volume.emptyDir?.sizeLimit else { continue }
            let used = await offload { runtime.emptyDirUsage(uid: uid, volume: volume) }
            let memory = volume.emptyDir?.medium == "Memory"
            if memory ? used >= limit.value : used > limit.value {
                return "Usage of EmptyDir volume \"\(volume.name)\" exceeds the limit \"\(limit.canonicalString)\". "
            }
        }
        return nil
    }

    /// Evicts the pod: every container killed at once, phase Failed with reason `Evicted`.
    func evict(message: String) async {
        evictionMessage = message
        logger.warning("\(pod.key): evicted: \(message)")
        await events.record(pod, type: "Warning", reason: "Evicted", message: message)
        await stopAllContainers(grace: 0)
        await finish()
    }

    /// The kubelet's `rejectPod`: phase Failed with the admission's reason, `Pod was rejected: …`
    /// as the message, a warning event with the admission's message, and nothing started.
    func reject(reason: String, message: String) async {
        evictionMessage = message
        terminalReason = reason
        logger.warning("\(pod.key): rejected: \(message)")
        await events.record(pod, type: "Warning", reason: reason, message: message)
        await finish()
    }
}
