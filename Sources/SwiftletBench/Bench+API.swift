import Foundation
import SwiftletClient

extension Bench {
    // MARK: 1b. a pod with two init containers, manifest written → Running

    func initPodStarts() throws {
        progress("2 init + 1 app pod start, \(options.runs) runs")
        var starts: [Double] = []
        for run in 0..<options.runs {
            let key = "default/inits-\(run)"
            let began = ContinuousClock.now
            try manifests.write("inits.yaml", Manifests.withInits(name: "inits-\(run)"))
            starts.append(Self.milliseconds(try tracker.waitRunning([key], timeout: .seconds(60)) - began))
            try manifests.remove("inits.yaml")
            _ = try tracker.waitDeleted([key], timeout: .seconds(60))
        }
        record(Sample(what: "2 init + 1 app: manifest written → Running", unit: "ms", values: starts))
    }

    // MARK: 4. the API with many pods: GET latency, then concurrent clients

    func apiFigures() throws {
        let n = options.apiPods
        progress("API: \(n) pods, GET /api/v1/pods, then \(options.apiClients) clients for \(options.apiSeconds) s")
        let names = (0..<n).map { "api-\($0)" }
        let keys = names.map { "default/" + $0 }
        let began = ContinuousClock.now
        try manifests.write("api.yaml", Manifests.batch(names: names, pod: Manifests.talker(name:)))
        let running = Self.milliseconds(try tracker.waitRunning(keys, timeout: .seconds(30 + 3 * n)) - began)
        record(Sample(what: "\(n) pods (1 YAML): written → all Running", unit: "ms", values: [running]))
        Thread.sleep(forTimeInterval: 1)
        recordAgent(label: "\(n) pods")

        var gets: [Double] = []
        for _ in 0..<200 {
            let start = ContinuousClock.now
            let count = try client.listPods(namespace: nil).items.count
            gets.append(Self.milliseconds(ContinuousClock.now - start))
            if count != n { notes.append("GET /api/v1/pods returned \(count) pods, expected \(n)") }
        }
        record(Sample(what: "GET /api/v1/pods, \(n) pods, one client", unit: "ms", values: gets))

        if options.apiClients > 0 {
            let fdsBefore = daemon.fdCount()
            let report = APILoad.run(
                socket: paths.socket, clients: options.apiClients, seconds: TimeInterval(options.apiSeconds),
                expectedPods: n, podName: { "api-\($0 % n)" }, container: "sleep")
            for kind in APILoad.Kind.allCases {
                record(Sample(
                    what: "\(options.apiClients) clients: \(kind.rawValue), \(n) pods", unit: "ms",
                    values: report.latencies[kind] ?? []))
            }
            apiReport = report.summary
            if !report.errors.isEmpty {
                notes.append("API load: \(report.errors.count) failed requests; first: \(report.errors.prefix(3))")
            }
            // Connections close on the server's event loops after the clients return.
            var fdsAfter = daemon.fdCount()
            for _ in 0..<100 where fdsAfter > fdsBefore + 2 {
                Thread.sleep(forTimeInterval: 0.1)
                fdsAfter = daemon.fdCount()
            }
            apiReport += "\nagent fds before/after the load: \(fdsBefore) -> \(fdsAfter)"
            if fdsAfter > fdsBefore + 2 { notes.append("API load: the agent's fds grew \(fdsBefore) -> \(fdsAfter)") }
        }

        let removing = ContinuousClock.now
        try manifests.remove("api.yaml")
        let gone = Self.milliseconds(try tracker.waitDeleted(keys, timeout: .seconds(30 + 3 * n)) - removing)
        record(Sample(what: "\(n) pods: file removed → all gone", unit: "ms", values: [gone]))
        checkLeftovers(after: "the \(n)-pod API run")
    }
}
