import Foundation
import SwiftletCgroups
import SwiftletKube
import SwiftletRuntime

/// Builds the Summary API from cgroup counters. CPU usage in nano-cores is a rate, so the last
/// cumulative sample of every cgroup is kept and the next request divides by the time between them,
/// as cAdvisor does with its housekeeping samples.
actor StatsCollector {
    private struct Sample {
        var time: Date
        var cpuNanoseconds: UInt64
    }

    private var last: [String: Sample] = [:]
    private var lastNode: Sample?
    let runtime: PodRuntime
    let nodeName: String
    let bootTime: Date?

    init(runtime: PodRuntime, nodeName: String) {
        self.runtime = runtime
        self.nodeName = nodeName
        self.bootTime = Self.readBootTime()
    }

    func summary(pods: [Pod]) -> StatsSummary {
        let now = Date()
        var seen = Set<String>()
        var podStats: [PodStats] = []
        for pod in pods where pod.status?.phase == .running || pod.status?.phase == .pending {
            let podPath = runtime.podCgroup(uid: pod.uid)
            guard let stats = runtime.cgroups.stats(podPath) else { continue }
            seen.insert(podPath)
            var containers: [ContainerStats] = []
            let statuses = (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])
            for status in statuses where status.state.running != nil {
                let path = runtime.containerCgroup(uid: pod.uid, container: status.name)
                guard let c = runtime.cgroups.stats(path) else { continue }
                seen.insert(path)
                containers.append(
                    ContainerStats(
                        name: status.name, startTime: status.state.running?.startedAt,
                        cpu: cpu(path, c.cpuUsageNanoseconds, now), memory: memory(c, now)))
            }
            podStats.append(
                PodStats(
                    podRef: PodReference(name: pod.name, namespace: pod.namespace, uid: pod.uid),
                    startTime: pod.status?.startTime, containers: containers,
                    cpu: cpu(podPath, stats.cpuUsageNanoseconds, now), memory: memory(stats, now),
                    processStats: ProcessStats(processCount: stats.pids)))
        }
        last = last.filter { seen.contains($0.key) }
        return StatsSummary(node: nodeStats(now), pods: podStats)
    }

    private func cpu(_ key: String, _ total: UInt64, _ now: Date) -> CPUStats {
        let rate = last[key].flatMap { Self.rate(from: $0, to: Sample(time: now, cpuNanoseconds: total)) }
        last[key] = Sample(time: now, cpuNanoseconds: total)
        return CPUStats(time: KubeTime(now), usageNanoCores: rate, usageCoreNanoSeconds: total)
    }

    private static func rate(from old: Sample, to new: Sample) -> UInt64? {
        let seconds = new.time.timeIntervalSince(old.time)
        guard seconds > 0.01, new.cpuNanoseconds >= old.cpuNanoseconds else { return nil }
        return UInt64(Double(new.cpuNanoseconds - old.cpuNanoseconds) / seconds)
    }

    private func memory(_ s: CgroupStats, _ now: Date) -> MemoryStats {
        MemoryStats(
            time: KubeTime(now), usageBytes: s.memoryUsageBytes, workingSetBytes: s.memoryWorkingSetBytes,
            rssBytes: s.memoryRSSBytes)
    }

    /// Node figures from /proc: CPU time of all cores (USER_HZ ticks of 10 ms) and meminfo.
    private func nodeStats(_ now: Date) -> NodeStats {
        var cpuStats: CPUStats?
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        {
            let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }
            // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
            if ticks.count == 8 {
                let busy = ticks.enumerated().filter { $0.offset != 3 && $0.offset != 4 }.map(\.element).reduce(0, +)
                cpuStats = cpu("node", busy * 10_000_000, now)
            }
        }
        var memoryStats: MemoryStats?
        if let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            var values: [String: UInt64] = [:]
            for line in info.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count >= 2, let v = UInt64(parts[1]) { values[String(parts[0].dropLast())] = v * 1024 }
            }
            if let total = values["MemTotal"], let available = values["MemAvailable"] {
                let used = total - min(total, available)
                memoryStats = MemoryStats(
                    time: KubeTime(now), availableBytes: available, usageBytes: used, workingSetBytes: used,
                    rssBytes: nil)
            }
        }
        return NodeStats(nodeName: nodeName, startTime: bootTime.map { KubeTime($0) }, cpu: cpuStats, memory: memoryStats)
    }

    private static func readBootTime() -> Date? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let seconds = Double(line.dropFirst(6))
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}
