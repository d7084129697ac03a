import Foundation
import SwiftletKube
import XCTest

/// What the reliability tests measure on a daemon: its file descriptors and memory, and whatever
/// a deleted pod could leave behind on the machine.
extension DaemonHarness {
    var daemonPID: Int32? { daemon?.processIdentifier }

    /// Open file descriptors of the agent, counted in /proc/<pid>/fd.
    func daemonFDCount() -> Int {
        guard let pid = daemonPID else { return 0 }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// VmRSS of the agent in KiB.
    func daemonRSSKiB() -> Int {
        guard let pid = daemonPID, let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// A pod's traces anywhere: processes, mounts, cgroups, run directory, writable layers, logs.
    func leftovers(uid: String) -> [String] {
        var found: [String] = []
        found += leakedProcesses().filter { $0.contains(uid) }.map { "process \($0)" }
        found += leakedMounts().filter { $0.contains(uid) }.map { "mount \($0)" }
        found += leakedCgroups().filter { $0.contains(uid) }.map { "cgroup \($0)" }
        for path in ["\(run)/pods/\(uid)", "\(state)/pods/\(uid)", "\(state)/apipods/\(uid).json"]
        where FileManager.default.fileExists(atPath: path) {
            found.append("file \(path)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? [] where name.hasSuffix("_" + uid) {
            found.append("log directory \(logs)/\(name)")
        }
        return found
    }

    /// Entries left in the per-pod directories once no pod exists (run, state, logs, API store).
    func leftoverEntries() -> [String] {
        var found: [String] = []
        for dir in ["\(run)/pods", "\(state)/pods", "\(state)/apipods", logs] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] { found.append("\(dir)/\(name)") }
        }
        return found
    }

    /// A busybox API pod that sleeps (grace period as given).
    static func sleeper(_ name: String, grace: Int64 = 0, command: [String] = ["sh", "-c", "exec sleep 3600"]) -> Pod {
        var pod = Pod(
            metadata: ObjectMeta(name: name, labels: ["app": "churn"]),
            spec: PodSpec(containers: [Container(name: "main", image: "busybox", command: command)]))
        pod.spec.terminationGracePeriodSeconds = grace
        return pod
    }

    func runningCount() -> Int {
        let pods = (try? client.listPods(namespace: nil).items) ?? []
        return pods.filter { pod in
            pod.status?.phase == .running && (pod.status?.containerStatuses ?? []).allSatisfy { $0.state.running != nil }
        }.count
    }
}

/// A small deterministic generator (SplitMix64), so a failing fault iteration replays exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
