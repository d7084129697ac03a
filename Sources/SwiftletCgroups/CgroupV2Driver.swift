#if canImport(Glibc)
import Glibc
#endif

/// cgroup v2 (unified hierarchy) driver rooted at an injectable directory (normally `/sys/fs/cgroup`).
public struct CgroupV2Driver: CgroupDriver {
    /// Controllers delegated to the cgroups we create, when the parent offers them.
    public static let wantedControllers = ["cpu", "memory", "pids", "io", "cpuset", "hugetlb"]

    public let root: String
    public var layout: CgroupLayout { .v2(root: root) }

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The directory of `path`, where its interface files (cgroup.procs, memory.max, cpu.max…) live.
    public func directory(for path: String) -> String? {
        CgroupFiles.normalize(path).map { root + "/" + $0 }
    }

    public func create(_ path: String) throws {
        guard let normalized = CgroupFiles.normalize(path) else { throw CgroupError.invalidPath(path) }
        // The kernel offers a child only the controllers its parent enabled in subtree_control, so enabling
        // walks down from the root; the leaf itself is left without subtree controllers because v2 forbids
        // processes in a cgroup that delegates controllers ("no internal processes").
        var parentDirectory = root
        var offeredByParent = try availableControllers(in: root, inherited: nil)
        for prefix in CgroupFiles.prefixes(normalized) {
            let enabled = try enableControllers(in: parentDirectory, available: offeredByParent)
            let directory = root + "/" + prefix
            try CgroupFiles.makeDirectory(directory)
            offeredByParent = try availableControllers(in: directory, inherited: enabled)
            parentDirectory = directory
        }
    }

    public func procsFiles(_ path: String) -> [String] {
        guard let directory = directory(for: path) else { return [] }
        return [directory + "/cgroup.procs"]
    }

    public func processes(_ path: String) -> [Int32] {
        guard let directory = directory(for: path) else { return [] }
        return CgroupFiles.pidsRecursively(directory).sorted()
    }

    public func killAll(_ path: String) {
        guard let directory = directory(for: path), CgroupFiles.isDirectory(directory) else { return }
        // cgroup.kill (Linux 5.14+) kills the whole subtree atomically, including processes forked meanwhile.
        let killFile = directory + "/cgroup.kill"
        if CgroupFiles.fileExists(killFile), (try? CgroupFiles.write(killFile, "1")) != nil { return }
        // Older kernels: freeze so nothing forks between listing and signalling, kill, then thaw so the
        // frozen tasks can act on the pending SIGKILL.
        let freezeFile = directory + "/cgroup.freeze"
        let canFreeze = CgroupFiles.fileExists(freezeFile) && (try? CgroupFiles.write(freezeFile, "1")) != nil
        for _ in 0..<5 {
            let pids = CgroupFiles.pidsRecursively(directory)
            if pids.isEmpty { break }
            CgroupFiles.kill(pids)
            if canFreeze { break }
        }
        if canFreeze { try? CgroupFiles.write(freezeFile, "0") }
    }

    public func remove(_ path: String) throws {
        guard let directory = directory(for: path) else { throw CgroupError.invalidPath(path) }
        try CgroupFiles.removeTree(directory)
    }

    public func exists(_ path: String) -> Bool {
        guard let directory = directory(for: path) else { return false }
        return CgroupFiles.isDirectory(directory)
    }

    /// Controllers `directory` can delegate: its cgroup.controllers. When that file is missing (only in a
    /// fake tree: the kernel always has it) the child inherits exactly what its parent just enabled.
    private func availableControllers(in directory: String, inherited: Set<String>?) throws -> Set<String> {
        if let text = try CgroupFiles.readIfPresent(directory + "/cgroup.controllers") {
            return Self.controllerNames(text)
        }
        return inherited ?? []
    }

    /// Enables the wanted controllers `available` in `directory`'s subtree_control; returns the enabled set.
    private func enableControllers(in directory: String, available: Set<String>) throws -> Set<String> {
        let file = directory + "/cgroup.subtree_control"
        let already = try CgroupFiles.readIfPresent(file).map(Self.controllerNames) ?? []
        let wanted = Self.wantedControllers.filter { available.contains($0) }
        let missing = wanted.filter { !already.contains($0) }
        if !missing.isEmpty {
            try CgroupFiles.write(file, missing.map { "+" + $0 }.joined(separator: " "))
        }
        return already.union(wanted)
    }

    /// Parses "cpu memory" (kernel) as well as "+cpu +memory" (what a fake tree keeps after a write).
    static func controllerNames(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map { name in
            name.hasPrefix("+") ? String(name.dropFirst()) : String(name)
        })
    }
}
