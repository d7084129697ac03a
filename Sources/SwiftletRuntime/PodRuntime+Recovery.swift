import Foundation
import SwiftletKube
import SwiftletLaunch
import SwiftletSystem

/// Run directories a restarted agent cannot read back: a `pod.json` torn by a crash of the disk or
/// the machine, or missing because the agent died between creating the directory and writing it.
/// Such a directory may still hold a live pause process, mounts and cgroups.
extension PodRuntime {
    public struct UnreadableSandbox: Sendable {
        public var uid: String
        public var problem: String
        /// Sandbox creation began here (it makes `containers/` before it writes `pod.json`). A run
        /// directory without it never had a sandbox: it only holds the records the agent keeps for
        /// every pod (status watch, start time, a rejection's final status).
        public var sandboxStarted: Bool
    }

    /// The UIDs of every pod run directory, with a sandbox record or not.
    public func podRunDirectoryUIDs() -> [String] {
        FileIO.list(configuration.podsRunDirectory)
    }

    /// Run directories whose `pod.json` is missing or does not decode, with what is wrong.
    public func unreadableSandboxes() -> [UnreadableSandbox] {
        FileIO.list(configuration.podsRunDirectory).compactMap { uid in
            let dir = runDirectory(uid: uid)
            let path = dir.podFile
            let started = FileIO.exists(dir.containersDir)
            guard let data = FileManager.default.contents(atPath: path) else {
                return UnreadableSandbox(uid: uid, problem: "\(path): missing", sandboxStarted: started)
            }
            do {
                _ = try KubeJSON.decode(Pod.self, from: data)
                return nil
            } catch {
                return UnreadableSandbox(uid: uid, problem: "\(path): \(error)", sandboxStarted: true)
            }
        }
    }

    /// Replaces the pod's `pod.json` (a claimed pod whose record was unreadable).
    public func rewritePodFile(_ pod: Pod) throws {
        var stored = pod
        stored.status = nil
        try FileIO.writeAtomically(
            runDirectory(uid: pod.uid).podFile, String(decoding: try KubeJSON.encode(stored), as: UTF8.self), mode: 0o600)
    }

    /// Removes a sandbox known only by its UID: pause process, network, mounts, cgroups, writable
    /// layers, run directory, and the log directory (`*_<uid>`, the pod's name being unknown).
    public func removeSandbox(uid: String) throws {
        try stopSandbox(uid: uid)
        // Volumes and writable layers (stopSandbox keeps the volumes for a sandbox that is replaced).
        try tearDownVolumes(uid: uid)
        try FileIO.removeTree(stateDirectory(uid: uid))
        for name in FileIO.list(configuration.logDirectory) where name.hasSuffix("_" + uid) {
            try FileIO.removeTree(configuration.logDirectory + "/" + name)
        }
        try FileIO.removeTree(runDirectory(uid: uid).path)
    }
}

extension PodRuntime {
    /// Whether sandbox creation ran to its end: /etc/hosts is written last, after the cgroup and
    /// the network. An agent killed half-way leaves a live pause process without it; such a
    /// sandbox is not ready, and the planner replaces it like one whose network failed.
    public func sandboxComplete(uid: String) -> Bool {
        FileIO.exists(runDirectory(uid: uid).hostsFile)
    }

    /// SIGKILLs pause processes of this pod that no pause record names: started by an agent that
    /// died before the pause process wrote its record (so a new sandbox was made beside it) or
    /// before it was placed in the pod cgroup (so the cgroup kill misses it). They are found by
    /// their command line, `<pause> <run dir> …`, which the launcher's fork keeps.
    func killStrayPauses(uid: String, sparing recorded: Int32? = nil) {
        let dir = runDirectory(uid: uid).path
        for entry in FileIO.list("/proc") {
            guard let pid = Int32(entry), pid != recorded, pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            let argv = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard argv.count >= 2, String(decoding: argv[1], as: UTF8.self) == dir,
                String(decoding: argv[0], as: UTF8.self) == configuration.pausePath
            else { continue }
            kill(pid, SIGKILL)
        }
    }
}
