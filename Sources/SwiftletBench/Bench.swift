import Foundation
import SwiftletClient

/// The measurements, in the order the brief lists them, against one daemon of our own.
final class Bench {
    let options: BenchOptions
    let paths: BenchPaths
    let client: SwiftletAPIClient
    let tracker: PodTracker
    let manifests: Manifests
    let daemon: BenchDaemon
    let teardown: Teardown

    private(set) var timings: [Sample] = []
    private(set) var memory: [Sample] = []
    var notes: [String] = []
    /// The API load's own summary (requests per second, percentiles), printed as it is.
    var apiReport = ""

    init(options: BenchOptions, paths: BenchPaths) {
        self.options = options
        self.paths = paths
        client = SwiftletAPIClient(socketPath: paths.socket)
        tracker = PodTracker(client: client)
        manifests = Manifests(directory: paths.manifestDir)
        daemon = BenchDaemon(paths: paths)
        teardown = Teardown(paths: paths)
    }

    // MARK: setup

    func prepare() throws {
        for dir in [paths.stateDir, paths.runDir, paths.logDir, paths.manifestDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        progress("building busybox rootfs and importing it")
        try Command.run("/bin/sh", [paths.repo + "/scripts/make-busybox-rootfs", paths.rootfs])
        try Command.run(
            paths.swiftlet, ["images", "import", "--state-dir", paths.stateDir, "--name", "busybox", "--cmd", "sh", paths.rootfs])
        progress("starting \(paths.swiftlet) daemon in \(paths.root) (cgroup parent \(paths.cgroupParent))")
        try daemon.start()
        try daemon.waitReady(client: client)
        tracker.start()
        // The agent's own footprint before any pod, the base of the per-pod figure.
        Thread.sleep(forTimeInterval: 0.5)
        recordAgent(label: "0 pods")
    }

    // MARK: 1. one pod, manifest written → Running

    func singlePodStarts() throws {
        progress("1-pod start, \(options.runs) runs")
        var starts: [Double] = []
        var removals: [Double] = []
        for run in 0..<options.runs {
            let key = "default/start-\(run)"
            let began = ContinuousClock.now
            try manifests.write("start.yaml", Manifests.sleeper(name: "start-\(run)"))
            starts.append(Self.milliseconds(try tracker.waitRunning([key], timeout: .seconds(60)) - began))
            let removing = ContinuousClock.now
            try manifests.remove("start.yaml")
            removals.append(Self.milliseconds(try tracker.waitDeleted([key], timeout: .seconds(60)) - removing))
            checkLeftovers(after: "1-pod run \(run)")
        }
        timings.append(Sample(what: "1 pod: manifest written → Running", unit: "ms", values: starts))
        timings.append(Sample(what: "1 pod: manifest removed → gone", unit: "ms", values: removals))
    }

    // MARK: 2 + 3. batches from one multi-document YAML

    func batches() throws {
        var sizes = [10, 20, options.pods]
        sizes = sizes.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        var starts: [Int: [Double]] = [:]
        var teardowns: [Int: [Double]] = [:]
        for run in 0..<options.batchRuns {
            for size in sizes {
                progress("\(size) pods, batch run \(run + 1)/\(options.batchRuns)")
                let names = (0..<size).map { "batch\(size)-r\(run)-\($0)" }
                let keys = names.map { "default/" + $0 }
                let timeout = Duration.seconds(30 + 3 * size)
                let began = ContinuousClock.now
                try manifests.write("batch.yaml", Manifests.batch(names: names))
                starts[size, default: []].append(Self.milliseconds(try tracker.waitRunning(keys, timeout: timeout) - began))

                // Let the pause processes and the agent settle past the start-up burst.
                Thread.sleep(forTimeInterval: 1)
                recordAgent(label: "\(size) pods")
                if size == options.pods { recordPauses(label: "\(size) pods", expected: size) }

                let removing = ContinuousClock.now
                try manifests.remove("batch.yaml")
                teardowns[size, default: []].append(
                    Self.milliseconds(try tracker.waitDeleted(keys, timeout: timeout) - removing))
                checkLeftovers(after: "\(size)-pod batch run \(run)")
            }
        }
        for size in sizes {
            timings.append(Sample(what: "\(size) pods (1 YAML): written → all Running", unit: "ms", values: starts[size] ?? []))
        }
        for size in sizes {
            timings.append(Sample(what: "\(size) pods: file removed → all gone", unit: "ms", values: teardowns[size] ?? []))
        }
    }

    // MARK: memory

    private var agentSamples: [String: (pss: [Double], rss: [Double])] = [:]
    private var agentOrder: [String] = []
    /// swiftlet-pause memory by label ("50 pods"), in the order first sampled.
    private var pauseSamples: [String: (pss: [Double], rss: [Double], dirty: [Double])] = [:]
    private var pauseOrder: [String] = []

    func record(_ sample: Sample) { timings.append(sample) }

    func recordAgent(label: String) {
        guard let m = ProcessMemory.of(pid: daemon.pid) else {
            notes.append("could not read smaps_rollup of the daemon (pid \(daemon.pid)) at \(label)")
            return
        }
        if agentSamples[label] == nil { agentOrder.append(label) }
        agentSamples[label, default: ([], [])].pss.append(m.pss)
        agentSamples[label, default: ([], [])].rss.append(m.rss)
    }

    func recordPauses(label: String, expected: Int) {
        let pids = ProcessTable.pauseProcesses(runDirectory: paths.runDir)
        if pids.count != expected {
            notes.append("expected \(expected) swiftlet-pause processes with \(expected) pods, found \(pids.count)")
        }
        if pauseSamples[label] == nil { pauseOrder.append(label) }
        for pid in pids {
            guard let m = ProcessMemory.of(pid: pid) else { continue }
            pauseSamples[label, default: ([], [], [])].pss.append(m.pss)
            pauseSamples[label, default: ([], [], [])].rss.append(m.rss)
            pauseSamples[label, default: ([], [], [])].dirty.append(m.privateDirty)
        }
    }

    /// Memory samples, built once all runs are in.
    func memorySamples() -> [Sample] {
        var samples: [Sample] = []
        for label in pauseOrder {
            guard let p = pauseSamples[label] else { continue }
            samples.append(Sample(what: "swiftlet-pause PSS, \(label)", unit: "KiB", values: p.pss))
            samples.append(Sample(what: "swiftlet-pause Private_Dirty, \(label)", unit: "KiB", values: p.dirty))
            samples.append(Sample(what: "swiftlet-pause RSS, \(label)", unit: "KiB", values: p.rss))
        }
        for label in agentOrder {
            guard let s = agentSamples[label] else { continue }
            samples.append(Sample(what: "agent PSS, \(label)", unit: "KiB", values: s.pss))
            samples.append(Sample(what: "agent RSS, \(label)", unit: "KiB", values: s.rss))
        }
        return samples
    }

    /// Runtime memory per pod: one pause process plus the agent's growth per pod — the
    /// counterpart of podman's two conmons + catatonit. `marginal` takes the agent's growth
    /// from 10 to N pods within each batch run (the agent's heap warms up over the first runs,
    /// which is not per-pod cost); `againstIdle` charges all growth since the idle agent to the pods.
    func perPodOverhead() -> (marginal: Double, againstIdle: Double)? {
        let n = options.pods
        guard n > 10, let pause = Sample(what: "", unit: "", values: pauseSamples["\(n) pods"]?.pss ?? []).mean,
            let idle = agentSamples["0 pods"]?.pss.first,
            let at10 = agentSamples["10 pods"]?.pss, let atN = agentSamples["\(n) pods"]?.pss
        else { return nil }
        let growth = zip(at10, atN).map { Swift.max(0, $1 - $0) / Double(n - 10) }
        guard let marginal = Sample(what: "", unit: "", values: growth).median,
            let loaded = Sample(what: "", unit: "", values: atN).median
        else { return nil }
        return (pause + marginal, pause + Swift.max(0, loaded - idle) / Double(n))
    }

    // MARK: helpers

    func checkLeftovers(after what: String) {
        let (pauses, cgroups) = teardown.leftovers(timeout: .seconds(5))
        if pauses > 0 || cgroups > 0 {
            notes.append("after \(what): \(pauses) pause processes and \(cgroups) pod cgroups still present 5 s after the pods were reported gone")
        }
    }

    /// The agent's PSS at each batch run, in order: steady growth across runs would be a leak.
    func agentTrend() -> [String] {
        agentOrder.filter { $0 != "0 pods" }.compactMap { label in
            agentSamples[label].map { "agent PSS at \(label), run by run (KiB): " + $0.pss.map { String(Int($0)) }.joined(separator: ", ") }
        }
    }

    /// Warnings and errors the daemon logged, read before the temp dir goes.
    func daemonComplaints(limit: Int = 8) -> [String] {
        let log = (try? String(contentsOfFile: paths.daemonLog, encoding: .utf8)) ?? ""
        let bad = log.split(separator: "\n").filter { line in
            [" warning ", " error ", " critical "].contains { line.contains($0) }
        }
        guard !bad.isEmpty else { return [] }
        return ["daemon logged \(bad.count) warnings/errors; first ones:"] + bad.prefix(limit).map { "  " + $0 }
    }

    /// Removes every manifest, waits for the pods to go, stops the daemon, then cleans up.
    func tearDown() -> [String] {
        manifests.removeAll()
        if daemon.isRunning {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, let list = try? client.listPods(namespace: nil), !list.items.isEmpty {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        tracker.stop()
        var leaks: [String] = []
        let stopped = daemon.stop()
        notes += daemonComplaints()
        if !stopped { leaks.append("the daemon did not stop within 10 s of SIGTERM; killed") }
        leaks += teardown.removeEverything()
        return leaks
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    func progress(_ text: String) {
        FileHandle.standardError.write(Data("swiftlet-bench: \(text)\n".utf8))
    }
}
