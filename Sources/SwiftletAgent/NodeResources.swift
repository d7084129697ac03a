import Foundation
import SwiftletCgroups
import SwiftletLifecycle

/// What this host offers pods: capacity from /proc, minus the configured system reservation.
struct NodeResources: Sendable {
    var cpuMilli: Int64
    var memoryBytes: Int64
    var reservedCPUMilli: Int64
    var reservedMemoryBytes: Int64

    static func detect(reservedCPUMilli: Int64, reservedMemoryBytes: Int64) -> NodeResources {
        let cpus = Int64(ProcessInfo.processInfo.activeProcessorCount)
        var memory = Int64(ProcessInfo.processInfo.physicalMemory)
        if let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        {
            memory = kib * 1024
        }
        return NodeResources(
            cpuMilli: cpus * 1000, memoryBytes: memory, reservedCPUMilli: reservedCPUMilli,
            reservedMemoryBytes: reservedMemoryBytes)
    }

    var allocatable: NodeAllocatable {
        NodeAllocatable(
            cpuMilli: max(cpuMilli - reservedCPUMilli, 0), memoryBytes: max(memoryBytes - reservedMemoryBytes, 0))
    }
}

extension CgroupLimits {
    /// The kubelet's numbers (pure, from SwiftletLifecycle) in the driver's terms.
    init(_ resources: CgroupResources) {
        self.init(
            cpuShares: resources.cpuShares, cpuQuota: resources.cpuQuota,
            cpuPeriod: resources.cpuQuota == nil ? nil : resources.cpuPeriod, memoryLimit: resources.memoryLimit,
            pidsLimit: resources.pidsLimit)
    }
}
