#if canImport(Glibc)
import Glibc
#endif

/// cgroup v1 driver: one directory per controller hierarchy, each rooted at an injectable mount directory.
public struct CgroupV1Driver: CgroupDriver {
    /// The v1 controllers swiftlet places its cgroups in (when mounted).
    public static let usedControllers = ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "freezer", "devices"]

    /// Controller → mount directory. Jointly mounted controllers share a directory.
    public let hierarchies: [String: String]
    public var layout: CgroupLayout { .v1(hierarchies: hierarchies) }

    /// Each distinct mount directory once, sorted, so "cpu,cpuacct" is created and listed one time.
    public var mounts: [String] { Array(Set(hierarchies.values)).sorted() }

    public init(hierarchies: [String: String]) {
        self.hierarchies = hierarchies.mapValues { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The directory of `path` in the hierarchy that holds `controller` (e.g. "memory" for
    /// memory.limit_in_bytes), or nil when that controller is not mounted.
    public func directory(for path: String, controller: String) -> String? {
        guard let normalized = CgroupFiles.normalize(path), let mount = hierarchies[controller] else { return nil }
        return mount + "/" + normalized
    }

    public func create(_ path: String) throws {
        guard let normalized = CgroupFiles.normalize(path) else { throw CgroupError.invalidPath(path) }
        let cpusetMount = hierarchies["cpuset"]
        for mount in mounts {
            var parent = mount
            for prefix in CgroupFiles.prefixes(normalized) {
                let directory = mount + "/" + prefix
                try CgroupFiles.makeDirectory(directory)
                if mount == cpusetMount {
                    try inheritCpuset(into: directory, from: parent)
                }
                parent = directory
            }
        }
    }

    public func procsFiles(_ path: String) -> [String] {
        guard let normalized = CgroupFiles.normalize(path) else { return [] }
        return mounts.map { $0 + "/" + normalized + "/cgroup.procs" }
    }

    public func processes(_ path: String) -> [Int32] {
        guard let normalized = CgroupFiles.normalize(path) else { return [] }
        var pids = Set<Int32>()
        for mount in mounts {
            pids.formUnion(CgroupFiles.pidsRecursively(mount + "/" + normalized))
        }
        return pids.sorted()
    }

    public func killAll(_ path: String) {
        guard let normalized = CgroupFiles.normalize(path) else { return }
        // The v1 freezer stops forks between listing and signalling (what runc does); SIGKILL stays
        // pending on frozen tasks and takes effect on thaw.
        let freezer = hierarchies["freezer"].map { $0 + "/" + normalized }
        let frozen = freezer.map { freeze($0) } ?? false
        for _ in 0..<5 {
            let pids = processes(normalized)
            if pids.isEmpty { break }
            CgroupFiles.kill(pids)
            if frozen { break }
        }
        if frozen, let freezer {
            try? CgroupFiles.write(freezer + "/freezer.state", "THAWED")
        }
    }

    public func remove(_ path: String) throws {
        guard let normalized = CgroupFiles.normalize(path) else { throw CgroupError.invalidPath(path) }
        for mount in mounts {
            try CgroupFiles.removeTree(mount + "/" + normalized)
        }
    }

    public func exists(_ path: String) -> Bool {
        guard let normalized = CgroupFiles.normalize(path) else { return false }
        return mounts.contains { CgroupFiles.isDirectory($0 + "/" + normalized) }
    }

    /// A new v1 cpuset starts with empty cpus/mems and refuses tasks until both are set; copy the parent's.
    private func inheritCpuset(into directory: String, from parent: String) throws {
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let current = try CgroupFiles.readIfPresent(directory + "/" + file)?.trimmedWhitespace() ?? ""
            guard current.isEmpty else { continue }
            let inherited = try CgroupFiles.readIfPresent(parent + "/" + file)?.trimmedWhitespace() ?? ""
            guard !inherited.isEmpty else { continue }
            try CgroupFiles.write(directory + "/" + file, inherited)
        }
    }

    /// Freezes the cgroup and waits (up to ~1 s) until the kernel reports FROZEN.
    private func freeze(_ directory: String) -> Bool {
        let state = directory + "/freezer.state"
        guard CgroupFiles.isDirectory(directory), (try? CgroupFiles.write(state, "FROZEN")) != nil else { return false }
        for _ in 0..<100 {
            if (try? CgroupFiles.readIfPresent(state))??.trimmedWhitespace() == "FROZEN" { return true }
            usleep(10_000)
        }
        // Not frozen in time (a task stuck in the kernel): thaw and fall back to repeated kills.
        try? CgroupFiles.write(state, "THAWED")
        return false
    }
}
