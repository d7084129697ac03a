/// Creates, populates, kills and removes cgroups below a hierarchy root, for one cgroup layout.
///
/// Paths are relative to the root(s) of the layout, like `"swiftlet/pod<uid>/<container>"`; a leading
/// `/` is ignored, `.` and `..` components are rejected (`CgroupError.invalidPath`). Non-throwing
/// members treat an invalid path as a cgroup that does not exist.
///
/// Resource limits and usage go through `apply(_:to:)`, `stats(_:)` and `oomKills(_:)`, which pick the
/// interface files of the layout (v1 `cpu.shares` / v2 `cpu.weight`, and so on).
public protocol CgroupDriver: Sendable {
    var layout: CgroupLayout { get }
    /// Creates the cgroup (relative path like "swiftlet/pod<uid>/<container>") in every used hierarchy, parents
    /// included; v2 enables controllers (+cpu +memory +pids +io +cpuset +hugetlb, those listed in cgroup.controllers)
    /// in subtree_control of every ancestor; v1 cpuset copies cpuset.cpus/mems from the parent.
    func create(_ path: String) throws
    /// The cgroup.procs files a process must write its pid ("0" = itself) into to join `path`.
    func procsFiles(_ path: String) -> [String]
    /// Pids in the cgroup and all its descendants, the union over all hierarchies, sorted.
    func processes(_ path: String) -> [Int32]
    /// SIGKILLs every process in the cgroup and its descendants (best effort; v2 uses cgroup.kill when present).
    /// Returns once the signals are sent; the caller reaps its own children.
    func killAll(_ path: String)
    /// Removes the cgroup and its descendants (rmdir depth-first) in every hierarchy. A missing directory is
    /// fine; EBUSY (processes still leaving) is retried for about a second before it is reported.
    func remove(_ path: String) throws
    /// Whether the cgroup directory exists in at least one hierarchy (so half-created leftovers are seen).
    func exists(_ path: String) -> Bool
    /// Writes the limits that are set (nil fields are left as they are) into the cgroup's interface files.
    /// Throws `CgroupError.writeFailed` naming the file and value the kernel refused, or
    /// `.controllerNotMounted` (v1) when a set limit has no hierarchy to go to.
    func apply(_ limits: CgroupLimits, to path: String) throws
    /// Current usage of the cgroup and its descendants, or nil when the cgroup does not exist. Figures
    /// whose file is missing (controller not mounted or not enabled) read as 0.
    func stats(_ path: String) -> CgroupStats?
    /// How many processes the kernel OOM killer has killed in the cgroup (`oom_kill` of v1
    /// `memory.oom_control` / v2 `memory.events`); 0 when unknown.
    func oomKills(_ path: String) -> UInt64
}
