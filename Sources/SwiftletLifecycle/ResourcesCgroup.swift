import Foundation
import SwiftletKube

/// The cgroup settings a container or pod gets from its resources (`pkg/kubelet/cm/helpers_linux.go`,
/// `kuberuntime_container_linux.go`), in cgroup v1 units; the v2 driver converts shares to `cpu.weight` (`CgroupLimits.cpuWeight`).
/// A nil field means "leave the kernel default" (unlimited for limits).
public struct CgroupResources: Hashable, Sendable {
    public var cpuShares: UInt64?
    /// CFS quota in µs per `cpuPeriod`; nil = unlimited.
    public var cpuQuota: Int64?
    /// Set together with `cpuQuota`.
    public var cpuPeriod: UInt64?
    public var memoryLimit: Int64?
    /// Only used for `memory.min` under MemoryQoS; never a limit.
    public var memoryRequest: Int64?
    public var pidsLimit: Int64?

    public init(
        cpuShares: UInt64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil, memoryLimit: Int64? = nil,
        memoryRequest: Int64? = nil, pidsLimit: Int64? = nil
    ) {
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.memoryLimit = memoryLimit
        self.memoryRequest = memoryRequest
        self.pidsLimit = pidsLimit
    }

    public static let minShares: UInt64 = 2
    public static let maxShares: UInt64 = 262_144
    public static let sharesPerCPU: Int64 = 1024
    /// `cpuCFSQuotaPeriod` default, 100 ms.
    public static let quotaPeriod: UInt64 = 100_000
    /// The kernel refuses a quota below 1 ms, hence a 10m limit is the smallest that is honoured.
    public static let minQuotaPeriod: Int64 = 1000

    /// `MilliCPUToShares`: 0 (no request) still gets the minimum, so the container can run.
    public static func shares(milliCPU: Int64) -> UInt64 {
        if milliCPU <= 0 { return minShares }
        let shares = Int128(milliCPU) * Int128(sharesPerCPU) / 1000
        return UInt64(max(Int128(minShares), min(Int128(maxShares), shares)))
    }

    /// `MilliCPUToQuota`: nil for no limit.
    public static func quota(milliCPU: Int64, period: UInt64 = quotaPeriod) -> Int64? {
        if milliCPU <= 0 { return nil }
        let quota = Int64(clamping: Int128(milliCPU) * Int128(period) / 1000)
        return max(quota, minQuotaPeriod)
    }

    /// The container's own cgroup: shares from the cpu request, quota from the cpu limit,
    /// memory limit as declared.
    public static func container(_ c: Container) -> CgroupResources {
        let requests = PodResources.containerRequests(c)
        let limits = PodResources.containerLimits(c)
        var result = CgroupResources(cpuShares: shares(milliCPU: requests[ResourceName.cpu]?.milliValue ?? 0))
        if let q = quota(milliCPU: limits[ResourceName.cpu]?.milliValue ?? 0) {
            result.cpuQuota = q
            result.cpuPeriod = quotaPeriod
        }
        if let memory = limits[ResourceName.memory]?.value, memory != 0 { result.memoryLimit = memory }
        if let memory = requests[ResourceName.memory]?.value, memory != 0 { result.memoryRequest = memory }
        return result
    }

    /// `ResourceConfigForPod`: shares from the pod's effective cpu request; quota and memory
    /// limit only when every container (init ones included) declares that limit, since one
    /// unlimited container makes the pod unlimited. BestEffort pods get the minimum shares only.
    /// `podPidsLimit` ≤ 0 means none (the kubelet's −1 default).
    public static func pod(_ pod: Pod, podPidsLimit: Int64?) -> CgroupResources {
        var result = CgroupResources()
        if let pids = podPidsLimit, pids > 0 { result.pidsLimit = pids }
        let qos = podQOSClass(pod)
        if qos == .bestEffort {
            result.cpuShares = minShares
            return result
        }
        let requests = PodResources.requests(pod)
        let limits = PodResources.limits(pod)
        let all = pod.spec.containers + (pod.spec.initContainers ?? [])
        let declares = { (name: String) in all.allSatisfy { !(containerLimits($0)[name]?.isZero ?? true) } }
        result.cpuShares = shares(milliCPU: requests[ResourceName.cpu]?.milliValue ?? 0)
        if qos == .guaranteed || declares(ResourceName.cpu) {
            // The kubelet writes a quota even when the limit sum is 0; nil keeps "unlimited" honest.
            result.cpuQuota = quota(milliCPU: limits[ResourceName.cpu]?.milliValue ?? 0)
            result.cpuPeriod = result.cpuQuota == nil ? nil : quotaPeriod
        }
        if qos == .guaranteed || declares(ResourceName.memory) {
            result.memoryLimit = limits[ResourceName.memory]?.value
        }
        if let memory = requests[ResourceName.memory]?.value, memory != 0 { result.memoryRequest = memory }
        return result
    }

    private static func containerLimits(_ c: Container) -> [String: Quantity] { PodResources.containerLimits(c) }
}
