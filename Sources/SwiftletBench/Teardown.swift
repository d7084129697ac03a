import Foundation
import SwiftletCgroups
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
        }
        // Everything still in the pod cgroups goes first, through the agent's own cgroup kill (freezer,
        // so nothing forks past it): after a failed pass that is whole pods, pause processes and
        // container processes alike. Killing only the pause processes left their containers,
        // reparented to PID 1, in the cgroups, which then could not be removed.
        if let driver = try? detectCgroupDriver() {
            do {
                let killed = try driver.sweep(paths.cgroupParent)
                if !killed.isEmpty {
                    let shown = killed.prefix(10).map(\.description).joined(separator: ", ")
                    leaks.append(
                        "killed \(killed.count) processes left in the cgroups below \(paths.cgroupParent): \(shown)"
                            + (killed.count > 10 ? ", ..." : ""))
                }
            } catch {
                leaks.append("cannot remove the cgroups below \(paths.cgroupParent): \(error)")
            }
        }
        // Pause processes outside the pod cgroups (an agent killed before it placed one).
        let strays = ProcessTable.pauseProcesses(runDirectory: paths.runDir)
        if !strays.isEmpty {
            // These are ours: argv[1] lies in this bench's private run directory.
            for pid in strays { kill(pid, SIGKILL) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        // Hierarchies the agent does not use (name=systemd, a hybrid host's unified mount) may hold the parent too.
        for parent in parentCgroups() {
            let procs = cgroupProcesses(parent)
            if !procs.isEmpty {
                leaks.append("processes left in \(parent): \(procs.map { CgroupProcess(pid: Int32($0) ?? 0).description })")
                for pid in procs.compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
                let deadline = ContinuousClock.now + .seconds(5)
                while !cgroupProcesses(parent).isEmpty && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
            }
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
