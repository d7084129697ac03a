import Foundation
import SwiftletCgroups
import SwiftletImages
import SwiftletKube
import SwiftletLaunch
import SwiftletSystem

/// The imperative shell around pods: sandboxes (swiftlet-pause), containers (swiftlet-init),
/// root filesystems, cgroups and run records. It holds no per-pod state in memory: everything
/// it knows is on disk under the run directory, which is what lets a restarted agent re-adopt pods.
public final class PodRuntime: Sendable {
    public let configuration: RuntimeConfiguration
    public let cgroups: any CgroupDriver
    public let images: any ImageStore

    public init(configuration: RuntimeConfiguration, cgroups: any CgroupDriver, images: any ImageStore) throws {
        self.configuration = configuration
        self.cgroups = cgroups
        self.images = images
        // Before anything is written: a layout from a newer agent must stay untouched.
        formatOutcomes = [
            try OnDiskFormat.prepare(directory: configuration.runDirectory),
            try OnDiskFormat.prepare(directory: configuration.stateDirectory),
        ]
        try FileIO.makeDirectories(configuration.podsRunDirectory, mode: 0o700)
        try FileIO.makeDirectories(configuration.podsStateDirectory, mode: 0o700)
        try FileIO.makeDirectories(configuration.logDirectory)
    }

    /// What `OnDiskFormat.prepare` found in the run and the state directory (logged by the daemon).
    public let formatOutcomes: [OnDiskFormat.Outcome]

    public func runDirectory(uid: String) -> PodRunDirectory {
        PodRunDirectory(path: configuration.podsRunDirectory + "/" + uid)
    }

    func stateDirectory(uid: String) -> String { configuration.podsStateDirectory + "/" + uid }

    public func podCgroup(uid: String) -> String { configuration.cgroupParent + "/pod" + uid }

    public func containerCgroup(uid: String, container: String) -> String { podCgroup(uid: uid) + "/" + container }

    /// `/var/log/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log`, the kubelet's layout.
    public func logDirectory(pod: Pod) -> String {
        "\(configuration.logDirectory)/\(pod.namespace)_\(pod.name)_\(pod.uid)"
    }

    public func logPath(pod: Pod, container: String, attempt: Int) -> String {
        "\(logDirectory(pod: pod))/\(container)/\(attempt).log"
    }

    public static func containerID(uid: String, container: String, attempt: Int) -> String {
        "swiftlet://\(uid)/\(container)/\(attempt)"
    }
}
