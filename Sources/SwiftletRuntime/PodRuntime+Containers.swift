import Foundation
import SwiftletCgroups
import SwiftletImages
import SwiftletKube
import SwiftletLaunch
import SwiftletSystem

extension PodRuntime {
    /// Resolves the image of a container as the kubelet's image manager would, without pulling: the
    /// image when present, `ErrImageNeverPull` when missing under `Never`, else `ErrImagePull`.
    public func resolveImage(_ container: Container) throws -> ImageRecord {
        if let record = try presentImage(container) { return record }
        throw RuntimeError(
            "ErrImagePull", "failed to pull and unpack image \"\((try? normalizeImageReference(container.image ?? "")) ?? "")\": not present")
    }

    /// Prepares attempt `attempt` of a container (fresh writable layer over the image, cgroup,
    /// log directory, launch spec) and asks the pod's pause process to start it.
    /// Returns the container's pid in the host pid namespace.
    public func startContainer(
        pod: Pod, container: Container, attempt: Int, image: ImageRecord, limits: CgroupLimits? = nil,
        oomScoreAdj: Int? = nil, security: LaunchSpec.Security? = nil, seccompProgram: [UInt8]? = nil,
        resolvedEnv: [EnvVar]? = nil, volumeMounts: [LaunchSpec.VolumeMount] = []
    ) throws -> Int32 {
        let uid = pod.uid
        let dir = runDirectory(uid: uid)
        let hostname = hostname(of: pod)
        // The kubelet expands `$(VAR)` in command and args from the container's own variables only.
        let resolved = resolvedEnv ?? ContainerCommand.plainEnvironment(container)
        let environment = ContainerCommand.environment(resolved: resolved, image: image.config, hostname: hostname)
        let argv = ContainerCommand.argv(
            container: container, image: image.config, environment: resolved.map { "\($0.name)=\($0.value ?? "")" })
        guard !argv.isEmpty, !argv[0].isEmpty else {
            throw RuntimeError("CreateContainerError", "failed to generate container spec: no command specified")
        }
        let rootfs: String
        let logPath = logPath(pod: pod, container: container.name, attempt: attempt)
        do {
            try removeContainerLayers(uid: uid, container: container.name)
            rootfs = try prepareRootfs(uid: uid, container: container.name, attempt: attempt, image: image)
            let cgroup = containerCgroup(uid: uid, container: container.name)
            try cgroups.create(cgroup)
            // Limits are in place before the process joins the cgroup, so it never runs unlimited.
            var limits = limits ?? CgroupLimits()
            // No security plan means a privileged container (see LaunchSpec.security).
            limits.devices = security.map { $0.privileged ? .unrestricted : .containerDefault } ?? .unrestricted
            try cgroups.apply(limits, to: cgroup)
            try FileIO.makeDirectories((logPath as NSString).deletingLastPathComponent)
            let terminationBind = try prepareTerminationMessageFile(uid: uid, container: container, attempt: attempt)
            let spec = LaunchSpec(
                rootfs: rootfs, arguments: argv, environment: environment,
                workingDirectory: container.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? image.config.workingDir ?? "/",
                cgroupProcs: cgroups.procsFiles(cgroup), logPath: logPath,
                privatePIDNamespace: pod.spec.shareProcessNamespace != true,
                binds: [
                    .init(source: dir.hostsFile, destination: "/etc/hosts", readOnly: false),
                    .init(source: dir.hostnameFile, destination: "/etc/hostname", readOnly: false),
                    .init(source: dir.resolvConfFile, destination: "/etc/resolv.conf", readOnly: false),
                    .init(source: dir.shmDir, destination: "/dev/shm", readOnly: false),
                ] + (terminationBind.map { [$0] } ?? []))
            var launch = spec
            launch.oomScoreAdj = oomScoreAdj
            launch.security = security
            launch.volumeMounts = volumeMounts
            launch.openStdin = container.stdin == true
            launch.tty = container.tty == true
            launch.stdinOnce = container.stdin == true && container.stdinOnce == true
            launch.logRotation = ContainerLogFiles.Rotation(
                maxSize: configuration.containerLogMaxSize, maxFiles: configuration.containerLogMaxFiles)
            if let seccompProgram {
                // Compiled here, installed by swiftlet-init: the per-container process needs no libseccomp.
                let path = dir.containersDir + "/" + container.name + ".seccomp"
                try Data(seccompProgram).write(to: URL(fileURLWithPath: path), options: .atomic)
                launch.security?.seccompFilter = path
            }
            try FileIO.writeAtomically(dir.launchFile(container.name), launch.encoded(), mode: 0o600)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError("CreateContainerError", "failed to create container \(container.name): \(error)")
        }
        let reply: String
        do {
            reply = try UnixSocket.exchange(
                path: dir.controlSocket, request: PauseRequest.start(container: container.name, attempt: attempt).line)
        } catch {
            throw RuntimeError("RunContainerError", "failed to start container \(container.name): sandbox unreachable: \(error)")
        }
        guard reply.hasPrefix("ok "), let pid = Int32(reply.dropFirst(3)) else {
            throw RuntimeError("RunContainerError", "failed to start container \(container.name): \(reply.dropFirst(6))")
        }
        return pid
    }

    /// Sends a signal to a running container through its pause process. False when it is not running.
    @discardableResult
    public func signalContainer(uid: String, container: String, signal: Int32) -> Bool {
        let reply = try? UnixSocket.exchange(
            path: runDirectory(uid: uid).controlSocket,
            request: PauseRequest.signal(container: container, signal: signal).line, timeoutMilliseconds: 5000)
        return reply == "ok"
    }

    /// Overlay mount: the image's layers (or its single rootfs) read-only below, a per-attempt upper directory on top, so every
    /// attempt starts from the pristine image as on Kubernetes and containers never see each other's writes.
    func prepareRootfs(uid: String, container: String, attempt: Int, image: ImageRecord) throws -> String {
        let layer = "\(stateDirectory(uid: uid))/containers/\(container)/\(attempt)"
        let target = "\(runDirectory(uid: uid).path)/rootfs/\(container).\(attempt)"
        try FileIO.makeDirectories(layer + "/upper", mode: 0o755)
        try FileIO.makeDirectories(layer + "/work", mode: 0o700)
        try FileIO.makeDirectories(target, mode: 0o755)
        try Mount.overlay(lower: image.lowerDirectories, upper: layer + "/upper", work: layer + "/work", target: target)
        return target
    }

    /// Unmounts and deletes the writable layers of earlier attempts (the kubelet keeps only the newest
    /// dead container; we keep its records and logs, not its filesystem).
    func removeContainerLayers(uid: String, container: String) throws {
        let rootfsDir = runDirectory(uid: uid).path + "/rootfs"
        for name in FileIO.list(rootfsDir) where name.hasPrefix(container + ".") {
            let point = rootfsDir + "/" + name
            try Mount.unmount(point)
            try Mount.removeTreeUnmounting(point)
        }
        try FileIO.removeTree("\(stateDirectory(uid: uid))/containers/\(container)")
    }
}
