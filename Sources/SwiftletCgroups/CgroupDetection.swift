#if canImport(Glibc)
import Glibc
#endif

/// Picks the cgroup driver for this host from the mount table.
///
/// Only mounts at or below `root` count (bind mounts of cgroupfs elsewhere, e.g. inside containers'
/// rootfs, are ignored). Any mounted v1 controller of `CgroupV1Driver.usedControllers` means v1 — this
/// includes "hybrid" hosts, whose cgroup2 mount (`<root>/unified`) holds no controller we use. Otherwise
/// a cgroup2 mount at `root` (or, failing that, the first one below it) means v2.
public func detectCgroupDriver(
    root: String = "/sys/fs/cgroup", mountinfoPath: String = "/proc/self/mountinfo"
) throws -> any CgroupDriver {
    guard let text = try CgroupFiles.readIfPresent(mountinfoPath) else {
        throw CgroupError.readFailed(path: mountinfoPath, errno: ENOENT)
    }
    guard let layout = detectCgroupLayout(root: root, mountinfo: text) else {
        throw CgroupError.noCgroupMount(root: root, mountinfo: mountinfoPath)
    }
    switch layout {
    case .v1(let hierarchies): return CgroupV1Driver(hierarchies: hierarchies)
    case .v2(let root): return CgroupV2Driver(root: root)
    }
}

/// The layout described by mountinfo `text`, or nil when no cgroup mount lies below `root`.
public func detectCgroupLayout(root: String, mountinfo text: String) -> CgroupLayout? {
    let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    let below = MountinfoEntry.parse(text).filter { entry in
        entry.mountPoint == root || entry.mountPoint.hasPrefix(root == "/" ? "/" : root + "/")
    }
    var hierarchies: [String: String] = [:]
    for entry in below where entry.filesystemType == "cgroup" {
        for controller in CgroupV1Driver.usedControllers where entry.superOptions.contains(controller) {
            // A controller can be mounted twice (bind mounts); the first mount in the table wins.
            if hierarchies[controller] == nil { hierarchies[controller] = entry.mountPoint }
        }
    }
    if !hierarchies.isEmpty { return .v1(hierarchies: hierarchies) }
    let unified = below.filter { $0.filesystemType == "cgroup2" }
    if let exact = unified.first(where: { $0.mountPoint == root }) ?? unified.first {
        return .v2(root: exact.mountPoint)
    }
    return nil
}
