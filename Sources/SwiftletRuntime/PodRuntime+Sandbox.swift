import Foundation
import SwiftletCgroups
import SwiftletKube
import SwiftletLaunch
import SwiftletLifecycle
import SwiftletSystem

/// The running pause process of a pod.
public struct SandboxHandle: Sendable, Hashable {
    public var identity: ProcessIdentity
    public var runDirectory: PodRunDirectory
    /// From the CNI result; empty with host network or without CNI configuration.
    public var podIPs: [String] = []
    /// DNS problems the kubelet reports as pod events (`MissingClusterDNS`, `DNSConfigForming`).
    public var warnings: [PodResolvConf.Warning] = []
    /// Things worth a line in the agent's log (CNI configuration files that were skipped).
    public var notes: [String] = []
}

extension PodRuntime {
    /// Creates the pod's run directory, /etc/hosts, /dev/shm and cgroup, then starts swiftlet-pause
    /// and waits for it to report its namespaces ready.
    /// `podLimits` go on the pod cgroup (the kubelet's ResourceConfigForPod) before anything runs in it.
    public func createSandbox(pod: Pod, podLimits: CgroupLimits? = nil) throws -> SandboxHandle {
        let uid = pod.uid
        let dir = runDirectory(uid: uid)
        // A pod.json means an earlier sandbox of this pod; its pause may have outlived its record.
        if FileIO.exists(dir.podFile) { killStrayPauses(uid: uid) }
        do {
            try FileIO.makeDirectories(dir.statusDir, mode: 0o700)
            try FileIO.makeDirectories(dir.containersDir, mode: 0o700)
            try FileIO.makeDirectories(dir.path + "/rootfs", mode: 0o700)
            try FileIO.writeAtomically(dir.podFile, String(decoding: try KubeJSON.encode(pod), as: UTF8.self), mode: 0o600)
            try FileIO.writeAtomically(dir.hostnameFile, try podHostname(pod) + "\n")
            try FileIO.makeDirectories(dir.shmDir)
            if !Mount.isMountedFilesystem(dir.shmDir) {
                // One /dev/shm per pod, shared by its containers like their IPC namespace (64 MiB as containerd).
                try Mount.tmpfs(target: dir.shmDir, options: "mode=1777,size=65536k", noexec: true)
            }
            try cgroups.create(podCgroup(uid: uid) + "/sandbox")
            if let podLimits { try cgroups.apply(podLimits, to: podCgroup(uid: uid)) }
        } catch {
            throw RuntimeError("CreatePodSandboxError", "failed to create pod sandbox: \(error)")
        }

        let pipe = try Spawn.pipe()
        var arguments = [configuration.pausePath, dir.path, hostname(of: pod), configuration.initPath]
        if pod.spec.shareProcessNamespace == true { arguments.append("--share-pid") }
        if pod.spec.hostNetwork == true { arguments.append("--host-network") }
        // The pause process joins its cgroup itself (CgroupSelfJoin: no RCU grace period, unlike
        // a write of its pid to cgroup.procs from here, which cost 8–24 ms of every pod start).
        for procs in cgroups.procsFiles(podCgroup(uid: uid) + "/sandbox") { arguments += ["--cgroup", procs] }
        let stderrFD = open(dir.path + "/pause.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { if stderrFD >= 0 { close(stderrFD) } }
        let launcher: pid_t
        do {
            launcher = try Spawn.spawn(
                path: configuration.pausePath, arguments: arguments, environment: Self.pauseEnvironment(),
                stdout: .fd(pipe.write), stderr: stderrFD >= 0 ? .fd(stderrFD) : .null)
        } catch {
            close(pipe.read)
            close(pipe.write)
            throw RuntimeError("CreatePodSandboxError", "failed to start \(configuration.pausePath): \(error)")
        }
        close(pipe.write)
        defer { close(pipe.read) }
        // The launcher forks the real pause process and exits at once; the pause process answers
        // on the pipe once its namespaces are set up.
        let reply = FileIO.waitReadable(pipe.read, timeoutMilliseconds: 10_000)
            ? ((try? UnixSocket.readLine(pipe.read, subject: "swiftlet-pause")) ?? "") : "error swiftlet-pause did not answer within 10s"
        _ = try? Spawn.wait(launcher)
        guard reply.hasPrefix("ok "), let pid = Int32(reply.dropFirst(3)), let identity = ProcessIdentity.of(pid: pid) else {
            let detail = reply.hasPrefix("error ") ? String(reply.dropFirst(6)) : "swiftlet-pause exited without a word"
            throw RuntimeError("CreatePodSandboxError", "failed to create pod sandbox: \(detail)")
        }
        var podIPs: [String] = []
        var warnings: [PodResolvConf.Warning] = []
        var notes: [String] = []
        do {
            if pod.spec.hostNetwork != true { podIPs = try setUpNetwork(pod: pod, pausePID: pid, skipped: &notes) }
            warnings = try writeResolvConf(pod: pod)
            // Last: its presence marks a complete sandbox (`sandboxComplete`).
            try writeHostsFile(pod: pod, podIPs: podIPs)
        } catch {
            // No half-made sandbox: the next attempt starts from nothing.
            try? stopSandbox(uid: uid)
            if let error = error as? RuntimeError { throw error }
            throw RuntimeError("CreatePodSandboxError", "failed to create pod sandbox: \(error)")
        }
        return SandboxHandle(identity: identity, runDirectory: dir, podIPs: podIPs, warnings: warnings, notes: notes)
    }

    /// The pause process gets nothing of the agent's environment but `TZ`: it stamps rotated logs
    /// in the agent's local time, as the kubelet's log manager stamps them in its own.
    static func pauseEnvironment() -> [String] {
        guard let zone = getenv("TZ") else { return [] }
        return ["TZ=" + String(cString: zone)]
    }

    /// The pause process of a pod, when it is still the same live process that was recorded.
    public func liveSandbox(uid: String) -> SandboxHandle? {
        guard let identity = recordedPause(uid: uid), identity.isAlive else { return nil }
        return SandboxHandle(identity: identity, runDirectory: runDirectory(uid: uid))
    }

    /// The pause process the pod's pause record names (pid and start time), alive or not.
    public func recordedPause(uid: String) -> ProcessIdentity? {
        guard let text = try? FileIO.readString(runDirectory(uid: uid).pauseRecord), let record = try? KeyValueFile(parsing: text),
            let pid = record.first("pid").flatMap({ Int32($0) }),
            let start = record.first("startTime").flatMap({ UInt64($0) })
        else { return nil }
        return ProcessIdentity(pid: pid, startTime: start)
    }

    /// Pods that have a run directory: what a restarted agent re-adopts (or cleans up).
    public func sandboxPods() -> [Pod] {
        FileIO.list(configuration.podsRunDirectory).compactMap { uid in
            guard let data = FileManager.default.contents(atPath: runDirectory(uid: uid).podFile) else { return nil }
            return try? KubeJSON.decode(Pod.self, from: data)
        }
    }

    public func podFileExists(uid: String) -> Bool {
        FileIO.exists(runDirectory(uid: uid).podFile)
    }

    /// Stops the pause process (which SIGKILLs what is left of the containers and records their
    /// exits), then removes root filesystems, /dev/shm, cgroups and writable layers. The run
    /// directory's records stay until `removePod` so the final status can still be computed.
    public func stopSandbox(uid: String) throws {
        let dir = runDirectory(uid: uid)
        var failures: [String] = []
        // The network goes first, while the namespace still holds the pod's interface (containerd's
        // order). A failed DEL keeps the pinned namespace and the record for the next attempt.
        do { try tearDownNetwork(uid: uid) } catch { failures.append(error.message) }
        if let sandbox = liveSandbox(uid: uid) {
            _ = try? UnixSocket.exchange(path: dir.controlSocket, request: PauseRequest.shutdown.line, timeoutMilliseconds: 5000)
            if !sandbox.identity.waitForExit(timeoutMilliseconds: 10_000) {
                kill(sandbox.identity.pid, SIGKILL)
                while !sandbox.identity.waitForExit(timeoutMilliseconds: 10_000) {}
            }
        } else {
            // No live recorded pause: one may still run unrecorded (an agent killed mid-creation).
            killStrayPauses(uid: uid)
        }
        let cgroup = podCgroup(uid: uid)
        // The pause process killed and reaped its containers: normally nothing is left, and the
        // freezer round trip of `killAll` is skipped.
        if cgroups.exists(cgroup) && !cgroups.processes(cgroup).isEmpty {
            cgroups.killAll(cgroup)
            var attempts = 0
            while !cgroups.processes(cgroup).isEmpty && attempts < 500 {
                usleep(2000)
                attempts += 1
            }
        }
        failures += unmountSandbox(dir)
        do { try cgroups.remove(cgroup) } catch { failures.append("\(error)") }
        do { try Mount.removeTreeUnmounting(dir.path + "/rootfs") } catch { failures.append("\(error)") }
        // Writable layers go with the sandbox; volumes stay until the pod is removed.
        do { try FileIO.removeTree(stateDirectory(uid: uid) + "/containers") } catch { failures.append("\(error)") }
        if !failures.isEmpty {
            throw RuntimeError("KillPodSandboxError", "failed to clean up pod sandbox: " + failures.joined(separator: "; "))
        }
    }

    /// Forgets the pod entirely: run records and, when asked, its logs (the kubelet removes them with the pod).
    public func removePod(_ pod: Pod, removeLogs: Bool) throws {
        try stopSandbox(uid: pod.uid)
        try tearDownVolumes(uid: pod.uid)
        try Mount.removeTreeUnmounting(stateDirectory(uid: pod.uid))
        // The run directory goes last: it is what tells an agent killed half-way what to finish.
        if removeLogs { try FileIO.removeTree(logDirectory(pod: pod)) }
        try Mount.removeTreeUnmounting(runDirectory(uid: pod.uid).path)
    }
}
