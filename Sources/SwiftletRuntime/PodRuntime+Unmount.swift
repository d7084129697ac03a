import SwiftletLaunch
import SwiftletSystem

/// Unmounting what a pod leaves in the host's mount namespace without reading the mount table.
///
/// The runtime knows its own mounts under a pod's run directory: `shm` (tmpfs), one overlay per
/// container attempt under `rootfs/`, and `network/netns` (which `tearDownNetwork` unpins). Each
/// pod adds two or more lines to /proc/self/mountinfo, so scanning it for every pod stopped made
/// a teardown of n pods O(n²): at 200 pods the scans were ~40 % of the agent's CPU during the
/// deletion (benchmarks.md, "Teardown at scale"). What nobody recorded (a mount made by hand) still
/// cannot be deleted through: `Mount.removeTreeUnmounting` reads the table only when a removal hits
/// a mount (EBUSY).
extension PodRuntime {
    /// Lazily unmounts the sandbox's own mounts (each container attempt's root, then /dev/shm);
    /// returns one message per failure.
    func unmountSandbox(_ dir: PodRunDirectory) -> [String] {
        var failures: [String] = []
        let rootfs = dir.path + "/rootfs"
        for name in FileIO.list(rootfs) {
            do { try Mount.unmount(rootfs + "/" + name) } catch { failures.append("\(error)") }
        }
        do { try Mount.unmount(dir.shmDir) } catch { failures.append("\(error)") }
        return failures
    }
}
