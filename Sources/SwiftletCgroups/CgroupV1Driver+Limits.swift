#if canImport(Glibc)
import Glibc
#endif

/// Limits and usage through the v1 per-controller files (cpu, cpuacct, memory, pids hierarchies).
extension CgroupV1Driver {
    public func apply(_ limits: CgroupLimits, to path: String) throws {
        guard CgroupFiles.normalize(path) != nil else { throw CgroupError.invalidPath(path) }
        if let shares = limits.cpuShares {
            try write(String(shares), to: "cpu.shares", controller: "cpu", path: path)
        }
        try applyCFS(quota: limits.cpuQuota, period: limits.cpuPeriod, path: path)
        if let memory = limits.memoryLimit {
            try write(memory < 0 ? "-1" : String(memory), to: "memory.limit_in_bytes", controller: "memory", path: path)
        }
        if let pids = limits.pidsLimit {
            try write(pids < 0 ? "max" : String(pids), to: "pids.max", controller: "pids", path: path)
        }
        switch limits.devices {
        case nil: break
        case .unrestricted?:
            try write("a", to: "devices.allow", controller: "devices", path: path)
        case .allowList(let rules)?:
            // Deny first, then allow: the kernel keeps the exceptions list, so order matters.
            try write("a", to: "devices.deny", controller: "devices", path: path)
            for rule in rules { try write(rule.description, to: "devices.allow", controller: "devices", path: path) }
        }
    }

    public func stats(_ path: String) -> CgroupStats? {
        guard exists(path) else { return nil }
        let usage = number("memory.usage_in_bytes", controller: "memory", path: path)
        let memoryStat = keyed("memory.stat", controller: "memory", path: path)
        return CgroupStats(
            cpuUsageNanoseconds: number("cpuacct.usage", controller: "cpuacct", path: path),
            memoryUsageBytes: usage,
            memoryWorkingSetBytes: CgroupStats.workingSet(
                usage: usage, inactiveFile: memoryStat["total_inactive_file"] ?? 0),
            memoryRSSBytes: memoryStat["total_rss"] ?? 0,
            pids: number("pids.current", controller: "pids", path: path))
    }

    public func oomKills(_ path: String) -> UInt64 {
        // "oom_kill" exists since Linux 4.13; older kernels only say "under_oom", so they report 0.
        keyed("memory.oom_control", controller: "memory", path: path)["oom_kill"] ?? 0
    }

    /// Period before quota, as runc does. A shorter period can be refused (EINVAL) while the old quota
    /// would exceed the parent's ratio; then the period is retried once the new quota is in place.
    private func applyCFS(quota: Int64?, period: UInt64?, path: String) throws {
        let period = period ?? (quota == nil ? nil : CgroupLimits.defaultCPUPeriod)
        var periodPending = false
        if let period {
            do {
                try write(String(period), to: "cpu.cfs_period_us", controller: "cpu", path: path)
            } catch CgroupError.writeFailed(_, _, let code) where code == EINVAL && quota != nil {
                periodPending = true
            }
        }
        if let quota {
            try write(quota < 0 ? "-1" : String(quota), to: "cpu.cfs_quota_us", controller: "cpu", path: path)
        }
        if periodPending, let period {
            try write(String(period), to: "cpu.cfs_period_us", controller: "cpu", path: path)
        }
    }

    private func write(_ value: String, to file: String, controller: String, path: String) throws {
        guard let directory = directory(for: path, controller: controller) else {
            throw CgroupError.controllerNotMounted(controller: controller, file: file)
        }
        try CgroupFiles.write(directory + "/" + file, value)
    }

    private func number(_ file: String, controller: String, path: String) -> UInt64 {
        directory(for: path, controller: controller).flatMap { CgroupFiles.readUInt64($0 + "/" + file) } ?? 0
    }

    private func keyed(_ file: String, controller: String, path: String) -> [String: UInt64] {
        directory(for: path, controller: controller).map { CgroupFiles.readKeyed($0 + "/" + file) } ?? [:]
    }
}
