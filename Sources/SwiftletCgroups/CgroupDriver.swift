/// Creates, populates, kills and removes cgroups below a hierarchy root, for one cgroup layout.
///
/// Paths are relative to the root(s) of the layout, like `"swiftlet/pod<uid>/<container>"`; a leading
/// `/` is ignored, `.` and `..` components are rejected (`CgroupError.invalidPath`). Non-throwing
/// members treat an invalid path as a cgroup that does not exist.
///
/// Resource limits (cpu shares/weight, CFS quota / `cpu.max`, memory limit / `memory.max`, pids) are
/// a later step. Their seam is each driver's `directory(for:controller:)` (v1) / `directory(for:)` (v2):
/// a future `apply(_ resources:to:)` writes the right file in the right hierarchy through it.
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
}
