/// Which cgroup filesystem layout a host uses.
///
/// A "hybrid" host (v1 controllers plus a cgroup2 mount that holds no controller we use, such as
/// `/sys/fs/cgroup/unified`) is described as `.v1`: the controllers that enforce limits live in v1.
public enum CgroupLayout: Sendable, Equatable {
    /// Each v1 controller mapped to the directory its hierarchy is mounted on. Controllers mounted
    /// jointly (`cpu,cpuacct`) map to the same directory.
    case v1(hierarchies: [String: String])
    /// The directory the unified cgroup2 hierarchy is mounted on.
    case v2(root: String)
}
