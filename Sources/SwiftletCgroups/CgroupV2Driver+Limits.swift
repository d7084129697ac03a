/// Limits and usage through the unified hierarchy's interface files.
extension CgroupV2Driver {
    public func apply(_ limits: CgroupLimits, to path: String) throws {
        guard let directory = directory(for: path) else { throw CgroupError.invalidPath(path) }
        if let shares = limits.cpuShares {
            try CgroupFiles.write(directory + "/cpu.weight", String(CgroupLimits.cpuWeight(shares: shares)))
        }
        if limits.cpuQuota != nil || limits.cpuPeriod != nil {
            try CgroupFiles.write(directory + "/cpu.max", try cpuMax(limits, directory: directory))
        }
        if let memory = limits.memoryLimit {
            try CgroupFiles.write(directory + "/memory.max", memory < 0 ? "max" : String(memory))
        }
        if let minimum = limits.memoryMin {
            try CgroupFiles.write(directory + "/memory.min", String(max(minimum, 0)))
        }
        if let low = limits.memoryLow {
            try CgroupFiles.write(directory + "/memory.low", String(max(low, 0)))
        }
        if let pids = limits.pidsLimit {
            try CgroupFiles.write(directory + "/pids.max", pids < 0 ? "max" : String(pids))
        }
    }

    public func stats(_ path: String) -> CgroupStats? {
        guard let directory = directory(for: path), CgroupFiles.isDirectory(directory) else { return nil }
        let usage = CgroupFiles.readUInt64(directory + "/memory.current") ?? 0
        let memoryStat = CgroupFiles.readKeyed(directory + "/memory.stat")
        let usageMicroseconds = CgroupFiles.readKeyed(directory + "/cpu.stat")["usage_usec"] ?? 0
        let (nanoseconds, overflow) = usageMicroseconds.multipliedReportingOverflow(by: 1000)
        return CgroupStats(
            cpuUsageNanoseconds: overflow ? UInt64.max : nanoseconds,
            memoryUsageBytes: usage,
            memoryWorkingSetBytes: CgroupStats.workingSet(usage: usage, inactiveFile: memoryStat["inactive_file"] ?? 0),
            memoryRSSBytes: memoryStat["anon"] ?? 0,
            pids: CgroupFiles.readUInt64(directory + "/pids.current") ?? 0)
    }

    public func oomKills(_ path: String) -> UInt64 {
        guard let directory = directory(for: path) else { return 0 }
        return CgroupFiles.readKeyed(directory + "/memory.events")["oom_kill"] ?? 0
    }

    /// "<quota> <period>". cpu.max has no period-only form, so a period-only change keeps the quota
    /// currently in force instead of silently lifting it.
    private func cpuMax(_ limits: CgroupLimits, directory: String) throws -> String {
        let period = limits.cpuPeriod ?? CgroupLimits.defaultCPUPeriod
        let quota: String
        if let requested = limits.cpuQuota {
            quota = requested < 0 ? "max" : String(requested)
        } else {
            let current = try CgroupFiles.readIfPresent(directory + "/cpu.max") ?? ""
            quota = current.split(separator: " ").first.map(String.init)?.trimmedWhitespace() ?? "max"
        }
        return quota + " " + String(period)
    }
}
