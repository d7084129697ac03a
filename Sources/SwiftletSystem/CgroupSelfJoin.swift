import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// Moves the calling process into cgroups, given their `cgroup.procs` files. For single-threaded
/// processes only (swiftlet-pause, swiftlet-init): on cgroup v1 it writes "0" to the sibling
/// `tasks` file, which moves the calling thread — the whole process, when it has one thread —
/// without taking the kernel's global `cgroup_threadgroup_rwsem` for writing. A write to
/// `cgroup.procs` takes that lock, and taking it waits for an RCU grace period whenever no other
/// migration ran just before: 7–24 ms on the 2-core test VMs, a third of a pod start. cgroup v2
/// has no `tasks` file in a domain cgroup, so there it is `cgroup.procs`.
public enum CgroupSelfJoin {
    public static func join(_ procsFiles: [String]) throws(SystemError) {
        for procs in procsFiles {
            try FileIO.write(tasksFile(procs) ?? procs, "0")
        }
    }

    /// The v1 `tasks` file next to `procs`, when there is one.
    static func tasksFile(_ procs: String) -> String? {
        let suffix = "/cgroup.procs"
        guard procs.hasSuffix(suffix) else { return nil }
        let tasks = String(procs.dropLast(suffix.count)) + "/tasks"
        return FileIO.exists(tasks) ? tasks : nil
    }
}
