/// Usage figures of one cgroup (and its descendants), as cAdvisor reports them to the kubelet.
public struct CgroupStats: Hashable, Sendable {
    /// v1 `cpuacct.usage`; v2 `cpu.stat` `usage_usec` × 1000.
    public var cpuUsageNanoseconds: UInt64
    /// v1 `memory.usage_in_bytes`; v2 `memory.current`.
    public var memoryUsageBytes: UInt64
    /// Usage minus inactive file pages, floored at 0: what eviction and `kubectl top` call memory, because
    /// inactive page cache can be reclaimed without an OOM kill.
    public var memoryWorkingSetBytes: UInt64
    /// v1 `memory.stat` `total_rss`; v2 `memory.stat` `anon`.
    public var memoryRSSBytes: UInt64
    /// `pids.current`.
    public var pids: UInt64

    public init(
        cpuUsageNanoseconds: UInt64 = 0, memoryUsageBytes: UInt64 = 0, memoryWorkingSetBytes: UInt64 = 0,
        memoryRSSBytes: UInt64 = 0, pids: UInt64 = 0
    ) {
        self.cpuUsageNanoseconds = cpuUsageNanoseconds
        self.memoryUsageBytes = memoryUsageBytes
        self.memoryWorkingSetBytes = memoryWorkingSetBytes
        self.memoryRSSBytes = memoryRSSBytes
        self.pids = pids
    }

    /// Working set as cAdvisor computes it: usage − inactive file, never below zero (the two files are
    /// read at different instants, so inactive can briefly exceed usage).
    static func workingSet(usage: UInt64, inactiveFile: UInt64) -> UInt64 {
        usage > inactiveFile ? usage - inactiveFile : 0
    }
}
