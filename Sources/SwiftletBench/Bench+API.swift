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

    // MARK: 4. the API with many pods: GET latency, watch delay, then concurrent clients

    /// One pass per `--api-pods` size; the watch delay and the concurrent load run at the first size.
    func apiFigures() throws {
        for (index, n) in options.apiPods.enumerated() { try apiPass(pods: n, first: index == 0) }
    }

    private func apiPass(pods n: Int, first: Bool) throws {
        progress("API: \(n) pods, GET /api/v1/pods" + (first ? ", watch delay, then \(options.apiClients) clients for \(options.apiSeconds) s" : ""))
        let names = (0..<n).map { "api\(n)-\($0)" }
        let keys = names.map { "default/" + $0 }
        let file = "api\(n).yaml"
        let began = ContinuousClock.now
        try manifests.write(file, Manifests.batch(names: names, pod: Manifests.talker(name:)))
        let running = Self.milliseconds(try tracker.waitRunning(keys, timeout: .seconds(30 + 3 * n)) - began)
        record(Sample(what: "\(n) pods (1 YAML): written → all Running", unit: "ms", values: [running]))
        Thread.sleep(forTimeInterval: 1)
        recordAgent(label: "\(n) pods")
        recordPauses(label: "\(n) pods", expected: n)

        // The server's figure: request sent → whole body read, on a fresh connection each time as the
        // CLI does; decoding 100s of pods with Foundation's JSONDecoder is the client's cost, timed apart.
        let http = UnixHTTPClient(socketPath: paths.socket)
        var gets: [Double] = []
        var bytes = 0
        for _ in 0..<200 {
            let start = ContinuousClock.now
            let response = try http.request("GET", "/api/v1/pods")
            gets.append(Self.milliseconds(ContinuousClock.now - start))
            bytes = response.body.count
            if response.status != 200 { notes.append("GET /api/v1/pods: HTTP \(response.status)") }
        }
        record(Sample(what: "GET /api/v1/pods, \(n) pods (\(bytes / 1024) KiB), one client", unit: "ms", values: gets))
        var decoded: [Double] = []
        for _ in 0..<20 {
            let start = ContinuousClock.now
            let count = try client.listPods(namespace: nil).items.count
            decoded.append(Self.milliseconds(ContinuousClock.now - start))
            if count != n { notes.append("GET /api/v1/pods returned \(count) pods, expected \(n)") }
        }
        record(Sample(what: "GET /api/v1/pods + client decode, \(n) pods", unit: "ms", values: decoded))

        if first {
            try exitEventDelays(keys: Array(keys.prefix(20)))
            if options.apiClients > 0 { try apiLoad(pods: n) }
        }

        let removing = ContinuousClock.now
        try manifests.remove(file)
        let gone = Self.milliseconds(try tracker.waitDeleted(keys, timeout: .seconds(30 + 3 * n)) - removing)
        record(Sample(what: "\(n) pods: file removed → all gone", unit: "ms", values: [gone]))
        checkLeftovers(after: "the \(n)-pod API run")
    }

    /// Watch event delay after a container exit: SIGKILL a pod's container process (a child of its
    /// swiftlet-pause) and time until the watch delivers a frame that shows the exit — the container
    /// no longer running, or already restarted with a higher restart count.
    private func exitEventDelays(keys: [String]) throws {
        var delays: [Double] = []
        let pauses = ProcessTable.pauseProcesses(runDirectory: paths.runDir)
        for key in keys {
            let name = String(key.dropFirst("default/".count))
            let pod = try client.getPod(namespace: "default", name: name)
            guard let uid = pod.metadata.uid, let status = pod.status?.containerStatuses?.first,
                let pause = pauses.first(where: { ProcessTable.commandLine(of: $0)?[1].hasSuffix("/" + uid) == true })
            else {
                notes.append("watch delay: no status or pause process for \(key)")
                continue
            }
            let children = ProcessTable.children(of: pause, named: "sleep")
            guard children.count == 1, let container = children.first else {
                notes.append("watch delay: \(key) has \(children.count) sleep processes under its pause")
                continue
            }
            let restarts = status.restartCount
            tracker.expect(key) { pod in
                guard let s = pod.status?.containerStatuses?.first else { return false }
                return s.state.running == nil || s.restartCount > restarts
            }
            let killed = ContinuousClock.now
            kill(container, SIGKILL)
            delays.append(Self.milliseconds(try tracker.waitExpected([key], timeout: .seconds(30), what: "showing the exit") - killed))
        }
        record(Sample(what: "watch event delay after a container exit (SIGKILL)", unit: "ms", values: delays))
    }

    private func apiLoad(pods n: Int) throws {
        let fdsBefore = daemon.fdCount()
        let report = APILoad.run(
            socket: paths.socket, clients: options.apiClients, seconds: TimeInterval(options.apiSeconds),
            expectedPods: n, podName: { "api\(n)-\($0 % n)" }, container: "sleep")
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
}
