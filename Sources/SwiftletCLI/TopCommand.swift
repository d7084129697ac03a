import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube

/// `swiftlet top pods`: CPU and memory per pod, as `kubectl top pods` prints them.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "Show CPU and memory use of pods.", subcommands: [TopPods.self])
}

struct TopPods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pods", abstract: "CPU (cores) and memory (working set) per pod.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Flag(name: .customLong("containers"), help: "One line per container.") var containers = false
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Pods of every namespace.") var allNamespaces = false

    func run() async throws {
        try reportingErrors {
            var summary = try client.client.statsSummary()
            // CPU is a rate between two samples; a first request has none yet.
            if summary.pods.contains(where: { $0.cpu?.usageNanoCores == nil }) {
                usleep(1_000_000)
                summary = try client.client.statsSummary()
            }
            writeOut(TopPrinter.pods(summary, namespace: allNamespaces ? nil : ns.namespace, containers: containers))
        }
    }
}

enum TopPrinter {
    static func pods(_ summary: StatsSummary, namespace: String?, containers: Bool) -> String {
        let pods = summary.pods.filter { namespace == nil || $0.podRef.namespace == namespace }
            .sorted { ($0.podRef.namespace, $0.podRef.name) < ($1.podRef.namespace, $1.podRef.name) }
        var text = (namespace == nil ? "NAMESPACE\t" : "") + (containers ? "POD\tNAME\t" : "NAME\t") + "CPU(cores)\tMEMORY(bytes)\n"
        for pod in pods {
            let prefix = namespace == nil ? pod.podRef.namespace + "\t" : ""
            if containers {
                for c in pod.containers {
                    text += prefix + "\(pod.podRef.name)\t\(c.name)\t\(cpu(c.cpu))\t\(memory(c.memory))\n"
                }
            } else {
                text += prefix + "\(pod.podRef.name)\t\(cpu(pod.cpu))\t\(memory(pod.memory))\n"
            }
        }
        return TabWriter.table.format(text)
    }

    /// kubectl: millicores, rounded up.
    static func cpu(_ stats: CPUStats?) -> String {
        guard let nano = stats?.usageNanoCores else { return "<unknown>" }
        return "\((nano + 999_999) / 1_000_000)m"
    }

    /// kubectl: working set in Mi.
    static func memory(_ stats: MemoryStats?) -> String {
        guard let bytes = stats?.workingSetBytes else { return "<unknown>" }
        return "\(bytes / (1024 * 1024))Mi"
    }
}
