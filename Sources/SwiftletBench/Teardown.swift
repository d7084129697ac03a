import Foundation
import SwiftletSystem

/// Removes everything a bench run made and reports what had leaked: any leftover is a bug
/// of the daemon (or of the bench), so it is printed rather than silently cleaned.
struct Teardown {
    var paths: BenchPaths

    /// Hierarchies that may hold our parent cgroup: each v1 controller and the unified (v2) mount.
    /// Symlinked aliases (cpu -> cpu,cpuacct) are skipped so each hierarchy is visited once.
    static func cgroupRoots() -> [String] {
        let base = "/sys/fs/cgroup"
        var roots = FileIO.list(base).map { base + "/" + $0 }.filter { path in
            var st = stat()
            return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        }
        // On a pure cgroup2 host the root itself is the hierarchy.
        if FileIO.exists(base + "/cgroup.controllers") { roots.append(base) }
        return roots.sorted()
    }

    func parentCgroups() -> [String] {
        Self.cgroupRoots().map { $0 + "/" + paths.cgroupParent }.filter { FileIO.isDirectory($0) }
    }

    /// Pod cgroups still below our parent, counted over all hierarchies.
    func podCgroupCount() -> Int {
        parentCgroups().reduce(0) { sum, parent in sum + FileIO.list(parent).filter { FileIO.isDirectory(parent + "/" + $0) }.count }
    }

    /// Leftover pause processes and pod cgroups once the daemon says every pod is gone;
    /// waits up to `timeout` for them to disappear first.
    func leftovers(timeout: Duration) -> (pauses: Int, cgroups: Int) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let pauses = ProcessTable.pauseProcesses(runDirectory: paths.runDir).count
            let cgroups = podCgroupCount()
            if (pauses == 0 && cgroups == 0) || ContinuousClock.now > deadline { return (pauses, cgroups) }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Final cleanup after the daemon has stopped. Returns a line for each leak found.
    func removeEverything() -> [String] {
        var leaks: [String] = []
        let pauses = ProcessTable.pauseProcesses(runDirectory: paths.runDir)
        if !pauses.isEmpty {
            leaks.append("\(pauses.count) swiftlet-pause processes still running after all pods were removed: \(pauses)")
            // These are ours: argv[1] lies in this bench's private run directory.
            for pid in pauses { kill(pid, SIGKILL) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        for parent in parentCgroups() {
            let procs = cgroupProcesses(parent)
            if !procs.isEmpty { leaks.append("processes left in \(parent): \(procs)") }
            if let failure = removeCgroupTree(parent) { leaks.append(failure) }
        }
        let mounts = Mount.mountPoints(under: paths.root)
        if !mounts.isEmpty {
            leaks.append("\(mounts.count) mounts left under \(paths.root), e.g. \(mounts[0])")
            for point in mounts { try? Mount.unmount(point) }
        }
        do { try FileIO.removeTree(paths.root) } catch { leaks.append("cannot remove \(paths.root): \(error)") }
        return leaks
    }

    private func cgroupProcesses(_ dir: String) -> [String] {
        var found = ((try? FileIO.readString(dir + "/cgroup.procs")) ?? "").split(separator: "\n").map(String.init)
        for child in FileIO.list(dir) where FileIO.isDirectory(dir + "/" + child) {
            found += cgroupProcesses(dir + "/" + child)
        }
        return found
    }

    /// cgroup directories go with rmdir, deepest first; returns the first failure.
    private func removeCgroupTree(_ dir: String) -> String? {
        var failure: String?
        for child in FileIO.list(dir) where FileIO.isDirectory(dir + "/" + child) {
            failure = failure ?? removeCgroupTree(dir + "/" + child)
        }
        if rmdir(dir) != 0 && errno != ENOENT {
            failure = failure ?? "cannot remove cgroup \(dir): \(String(cString: strerror(errno)))"
        }
        return failure
    }
}
