#if canImport(Glibc)
import Glibc
#endif

/// Resource limits for one cgroup, in the units the kubelet computes (`ResourceConfig`).
///
/// A nil field is left untouched by `CgroupDriver.apply`, so a caller can adjust one knob without
/// knowing the others. To lift a limit that was set before, pass a negative `cpuQuota`,
/// `memoryLimit` or `pidsLimit`: that is written as the kernel's "unlimited" (`-1` / `max`).
public struct CgroupLimits: Hashable, Sendable {
    /// v1 `cpu.shares`; on v2 converted to `cpu.weight` with `cpuWeight(shares:)`.
    public var cpuShares: UInt64?
    /// CFS quota in µs per period; negative means unlimited.
    public var cpuQuota: Int64?
    /// CFS period in µs; `defaultCPUPeriod` is written with a quota when this is nil.
    public var cpuPeriod: UInt64?
    /// Bytes; negative means unlimited.
    public var memoryLimit: Int64?
    /// v2 `memory.min` in bytes (ignored on v1, which has no protection knob); negative is written as 0.
    public var memoryMin: Int64?
    /// v2 `memory.low` in bytes (ignored on v1); negative is written as 0.
    public var memoryLow: Int64?
    /// Maximum number of tasks; negative means unlimited.
    public var pidsLimit: Int64?
    /// Device access (v1 `devices` controller). Not enforced on cgroup v2, where it needs an eBPF
    /// program (Docs/limits.md).
    public var devices: DeviceAccess?

    /// The kubelet's `QuotaPeriod` (100 ms), also the kernel's default CFS period.
    public static let defaultCPUPeriod: UInt64 = 100_000

    public init(
        cpuShares: UInt64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil,
        memoryLimit: Int64? = nil, memoryMin: Int64? = nil, memoryLow: Int64? = nil, pidsLimit: Int64? = nil
    ) {
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.memoryLimit = memoryLimit
        self.memoryMin = memoryMin
        self.memoryLow = memoryLow
        self.pidsLimit = pidsLimit
    }

    /// cgroup v2 `cpu.weight` for v1 `shares`, on the curve of opencontainers/cgroups (runc ≥ 1.3.2,
    /// kubernetes #131216) that maps the default 1024 shares to the default weight 100, unlike the
    /// older linear formula (which gave 39).
    public static func cpuWeight(shares: UInt64) -> UInt64 {
        if shares <= 2 { return 1 }
        if shares >= 262_144 { return 10_000 }
        let l = log2(Double(shares))
        let exponent = (l * l + 125 * l) / 612 - 7.0 / 34.0
        let weight = pow(10, exponent)
        // The curve hits integers exactly at 2 and 1024 shares; rounding noise above them must not
        // push ceil() one step up (1024 would become 101).
        let nearest = weight.rounded()
        if abs(weight - nearest) < 1e-9 { return UInt64(nearest) }
        return UInt64(weight.rounded(.up))
    }
}
