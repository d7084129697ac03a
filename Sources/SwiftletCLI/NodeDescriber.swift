import Foundation
import SwiftletClient
import SwiftletKube
import SwiftletLifecycle

/// `swiftlet describe node`, in kubectl's layout: capacity, allocatable, and what pods request.
enum NodeDescriber {
    static func describe(_ node: Node, pods: [Pod], now: Date) -> String {
        var out = "Name:\t\(node.metadata.name ?? "")\n"
        let labels = (node.metadata.labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        out += "Labels:\t" + (labels.isEmpty ? "<none>" : labels.joined(separator: "\n\t")) + "\n"
        out += "Addresses:\n"
        for a in node.status.addresses ?? [] { out += "  \(a.type):\t\(a.address)\n" }
        for (title, list) in [("Capacity", node.status.capacity), ("Allocatable", node.status.allocatable)] {
            out += "\(title):\n"
            for key in list.keys.sorted() { out += "  \(key):\t\(list[key]?.description ?? "")\n" }
        }
        if let info = node.status.nodeInfo {
            out += "System Info:\n"
            out += "  Kernel Version:\t\(info.kernelVersion)\n  OS Image:\t\(info.osImage)\n"
            out += "  Operating System:\t\(info.operatingSystem)\n  Architecture:\t\(info.architecture)\n"
            out += "  Container Runtime Version:\t\(info.containerRuntimeVersion)\n  Kubelet Version:\t\(info.kubeletVersion)\n"
        }
        var text = TabWriter.describe.format(out)

        let running = pods.filter { !($0.status?.phase?.isTerminal ?? false) }
        let cpuAllocatable = node.status.allocatable["cpu"]?.milliValue ?? 0
        let memoryAllocatable = node.status.allocatable["memory"]?.value ?? 0
        func percent(_ value: Int64, _ total: Int64) -> String { total > 0 ? "(\(value * 100 / total)%)" : "(0%)" }
        func cpu(_ milli: Int64) -> String { Quantity(milli: milli).description }
        func memory(_ bytes: Int64) -> String { Quantity(bytes, format: .binarySI).description }
        var table = "  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n"
        table += "  ---------\t----\t------------\t----------\t---------------\t-------------\t---\n"
        var totals: [String: Int64] = [:]
        for pod in running.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) {
            let requests = PodResources.requests(pod)
            let limits = PodResources.limits(pod)
            let values = [
                requests["cpu"]?.milliValue ?? 0, limits["cpu"]?.milliValue ?? 0,
                requests["memory"]?.value ?? 0, limits["memory"]?.value ?? 0,
            ]
            for (key, value) in zip(["cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"], values) {
                totals[key, default: 0] += value
            }
            let age = pod.metadata.creationTimestamp.map { HumanDuration.since($0, now: now) } ?? "<unknown>"
            table += "  \(pod.namespace)\t\(pod.name)\t\(cpu(values[0])) \(percent(values[0], cpuAllocatable))\t"
            table += "\(cpu(values[1])) \(percent(values[1], cpuAllocatable))\t"
            table += "\(memory(values[2])) \(percent(values[2], memoryAllocatable))\t"
            table += "\(memory(values[3])) \(percent(values[3], memoryAllocatable))\t\(age)\n"
        }
        text += "Non-terminated Pods:\t(\(running.count) in total)\n" + TabWriter.table.format(table)
        var allocated = "  Resource\tRequests\tLimits\n  --------\t--------\t------\n"
        allocated += "  cpu\t\(cpu(totals["cpuRequest"] ?? 0)) \(percent(totals["cpuRequest"] ?? 0, cpuAllocatable))\t"
        allocated += "\(cpu(totals["cpuLimit"] ?? 0)) \(percent(totals["cpuLimit"] ?? 0, cpuAllocatable))\n"
        allocated += "  memory\t\(memory(totals["memoryRequest"] ?? 0)) \(percent(totals["memoryRequest"] ?? 0, memoryAllocatable))\t"
        allocated += "\(memory(totals["memoryLimit"] ?? 0)) \(percent(totals["memoryLimit"] ?? 0, memoryAllocatable))\n"
        text += "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n" + TabWriter.table.format(allocated)
        return text
    }
}
