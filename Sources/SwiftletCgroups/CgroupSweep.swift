#if canImport(Glibc)
import Glibc
#endif

/// A process found in a cgroup that was about to be removed.
public struct CgroupProcess: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    /// `/proc/PID/cmdline` with spaces for the NULs, `[comm]` for a process without one, `?` once it is gone.
    public var command: String

    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    public init(pid: Int32) {
        self.init(pid: pid, command: Self.command(of: pid))
    }

    public var description: String { "\(pid) (\(command))" }

    static func command(of pid: Int32) -> String {
        if let text = try? CgroupFiles.readIfPresent("/proc/\(pid)/cmdline"), !text.isEmpty {
            let words = text.split(separator: "\0", omittingEmptySubsequences: true)
            return words.joined(separator: " ")
        }
        if let comm = try? CgroupFiles.readIfPresent("/proc/\(pid)/comm") { return "[\(comm.trimmedWhitespace())]" }
        return "?"
    }
}

extension CgroupDriver {
    /// Empties and removes `path` with everything below it: every process still in it — container
    /// processes whose pause process died have been reparented to PID 1 but stay in the pod's
    /// cgroups — is SIGKILLed through `killAll` (v1 freezer, v2 cgroup.kill or freezer, so nothing
    /// forks past the kill), waited for up to `waitMilliseconds`, then the cgroups are removed.
    /// Returns the processes it found; for a caller that expected the cgroup empty, each is a leak.
    public func sweep(_ path: String, waitMilliseconds: Int = 5000) throws -> [CgroupProcess] {
        let found = processes(path).map { CgroupProcess(pid: $0) }
        if !found.isEmpty {
            killAll(path)
            var waited = 0
            while !processes(path).isEmpty && waited < waitMilliseconds {
                usleep(10_000)
                waited += 10
                // A process that was mid-migration into the cgroup when it was listed: kill again.
                if waited % 500 == 0 { killAll(path) }
            }
        }
        try remove(path)
        return found
    }
}
