import Foundation
import SwiftletKube
import Synchronization
import XCTest

/// Container logs: rotation by swiftlet-pause, `logs -f` across rotations and restarts, the CLI's flags.
final class LogsTests: IntegrationTestCase {
    // A tiny size so that every run rotates its log many times, and enough files that nothing a
    // slow reader still needs is deleted (deletion is what `containerLogMaxFiles` is for).
    override var daemonArguments: [String] {
        super.daemonArguments + ["--container-log-max-size", "1Ki", "--container-log-max-files", "100"]
    }

    static let linesPerRun = 300
    static let longLine = String(repeating: "x", count: 20_000)

    /// Four runs (OnFailure: three failures, then success) writing numbered lines as fast as the
    /// shell can; the first run also writes a 20000-byte line (split into `P` chunks across files).
    /// The first run waits for a file so that `logs -f` is surely attached to it before anything
    /// but the "ready" line is written.
    func testFollowSeesEveryLineOnceAcrossRotationsAndRestarts() throws {
        try harness.write(
            "logpod.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: logpod}
            spec:
              restartPolicy: OnFailure
              terminationGracePeriodSeconds: 0
              volumes: [{name: data, emptyDir: {}}]
              containers:
              - name: main
                image: busybox
                volumeMounts: [{name: data, mountPath: /data}]
                command:
                - sh
                - -c
                - |
                  n=$(cat /data/n 2>/dev/null || echo 0); echo $((n+1)) > /data/n
                  echo "run$n ready"
                  if [ $n = 0 ]; then while [ ! -f /data/go ]; do sleep 0.1; done; fi
                  i=0; while [ $i -lt \(Self.linesPerRun) ]; do echo "run$n line$i"; i=$((i+1)); done
                  if [ $n = 0 ]; then head -c 20000 /dev/zero | tr '\\0' x; echo; fi
                  echo "run$n end" >&2
                  [ $n -lt 3 ] && exit 1
                  exit 0
            """)
        _ = try harness.waitForLog("logpod", "main", contains: "run0 ready", timeout: 60)

        let follow = try StreamingCLI(
            DaemonHarness.binaries + "/swiftlet", ["logs", "-f", "logpod"], socket: harness.socket)
        defer { follow.stop() }
        try harness.waitFor("logs -f to print the first line", timeout: 30) { follow.output.contains("run0 ready\n") }
        let go = try swiftlet(["exec", "logpod", "--", "touch", "/data/go"])
        XCTAssertEqual(go.status, 0, go.stderr)
        try harness.waitFor("logs -f to end with the last run", timeout: 120) { follow.exited }
        XCTAssertEqual(follow.status, 0, follow.errors)

        var expected: [String] = []
        for run in 0..<4 {
            expected.append("run\(run) ready")
            for i in 0..<Self.linesPerRun { expected.append("run\(run) line\(i)") }
            if run == 0 { expected.append(Self.longLine) }
        }
        let lines = follow.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.last, "", "the output ends with a newline")
        let stdoutLines = lines.filter { !$0.isEmpty && !$0.hasSuffix(" end") }
        XCTAssertEqual(stdoutLines.count, expected.count, "lines lost or duplicated")
        if stdoutLines != expected {
            let firstDiff = Array(zip(stdoutLines, expected)).firstIndex { $0 != $1 } ?? min(stdoutLines.count, expected.count)
            XCTFail("line \(firstDiff): got \(stdoutLines.dropFirst(firstDiff).first?.prefix(80) ?? "nothing"), "
                + "expected \(expected.dropFirst(firstDiff).first?.prefix(80) ?? "nothing")")
        }
        XCTAssertEqual(lines.filter { $0.hasSuffix(" end") }, (0..<4).map { "run\($0) end" })

        // The pause rotated the first run's log many times, and the kubelet's names were used.
        let pod = try XCTUnwrap(harness.pod("logpod"))
        let dir = harness.logs + "/default_logpod_\(pod.uid)/main"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let rotated = files.filter { $0.hasPrefix("0.log.") }
        // How many depends on how the pause's reads fall; 33 KB through 1 KiB files rotate at least twice.
        XCTAssertGreaterThanOrEqual(rotated.count, 2, files.sorted().joined(separator: " "))
        XCTAssertTrue(
            rotated.allSatisfy { $0.range(of: #"^0\.log\.\d{8}-\d{6}(\.\d+)?(\.gz)?$"#, options: .regularExpression) != nil }, "\(rotated)")

        // The CLI's other flags, against the finished pod.
        let tail = try swiftlet(["logs", "logpod", "--tail", "1"])
        XCTAssertEqual(tail.stdout, "run3 end\n", tail.stderr)
        let previous = try swiftlet(["logs", "logpod", "-p", "--tail", "2"])
        XCTAssertEqual(previous.stdout, "run2 line\(Self.linesPerRun - 1)\nrun2 end\n", previous.stderr)
        let prefixed = try swiftlet(["logs", "logpod", "--all-containers", "--prefix", "--tail", "1"])
        XCTAssertEqual(prefixed.stdout, "[pod/logpod/main] run3 end\n", prefixed.stderr)
        let stamped = try swiftlet(["logs", "logpod", "--timestamps", "--tail", "1"])
        XCTAssertNotNil(
            stamped.stdout.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z run3 end\n$"#, options: .regularExpression), stamped.stdout)
        let recent = try swiftlet(["logs", "logpod", "--since", "1h"])
        XCTAssertEqual(recent.stdout.split(separator: "\n").count, Self.linesPerRun + 2, recent.stderr)
        let future = try swiftlet(["logs", "logpod", "--since-time", "2999-01-01T00:00:00Z"])
        XCTAssertEqual(future.stdout, "", future.stderr)
        let both = try swiftlet(["logs", "logpod", "--since", "1h", "--since-time", "2999-01-01T00:00:00Z"])
        XCTAssertNotEqual(both.status, 0)
    }

    /// The agent gzips every rotated file but each run's newest (the kubelet's log manager), and
    /// `logs` and `logs --previous` still read every line once, in order, through the `.gz` files.
    /// Rotated logs are stamped in the node's local time, as the kubelet's log manager formats
    /// `clock.Now()`: with the daemon in UTC+5:30 (a POSIX TZ, no zone files needed) every stamp
    /// is the rotation's time shifted by 5 h 30 min, whatever the machine's own zone.
    func testRotatedLogNamesAreStampedInTheAgentsLocalTime() throws {
        harness.stop()
        harness.environment["TZ"] = "SWL-5:30"
        try harness.start(daemonArguments)
        let before = Int64(Date().timeIntervalSince1970)
        // Four 2000-byte lines through 1 KiB files: a rotation after each.
        let writes = "for i in 1 2 3 4; do head -c 2000 /dev/zero | tr '\\0' y; echo; done; exec sleep 3600"
        var pod = DaemonHarness.sleeper("tzpod", command: ["sh", "-c", writes])
        pod.spec.restartPolicy = .never
        let created = try harness.client.createPod(pod)
        let dir = harness.logs + "/default_tzpod_\(created.uid)/main"
        let rotated: () -> [String] = {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("0.log.") }
        }
        try harness.waitFor("the log to be rotated", timeout: 30) { rotated().count >= 2 }
        let after = Int64(Date().timeIntervalSince1970) + 1
        let offset: Int64 = 5 * 3600 + 30 * 60
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(secondsFromGMT: Int(offset))
        format.dateFormat = "yyyyMMdd-HHmmss"
        for name in rotated() {
            let stamp = String(name.dropFirst("0.log.".count).prefix(15))
            let at = try XCTUnwrap(format.date(from: stamp), name)
            XCTAssertTrue(
                (before...after).contains(Int64(at.timeIntervalSince1970)),
                "\(name): stamped in UTC+5:30 between \(before) and \(after), got \(Int64(at.timeIntervalSince1970))")
        }
        _ = try harness.client.deletePod(namespace: "default", name: "tzpod", gracePeriodSeconds: 0)
        try harness.waitForGone("tzpod")
    }

    func testRotatedLogsAreCompressedAndStillRead() throws {
        let lines = 400
        try harness.write(
            "gzpod.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: gzpod}
            spec:
              terminationGracePeriodSeconds: 0
              volumes: [{name: data, emptyDir: {}}]
              containers:
              - name: main
                image: busybox
                volumeMounts: [{name: data, mountPath: /data}]
                command:
                - sh
                - -c
                - |
                  n=$(cat /data/n 2>/dev/null || echo 0); echo $((n+1)) > /data/n
                  i=0; while [ $i -lt \(lines) ]; do echo "run$n line$i"; i=$((i+1)); [ $((i % 50)) = 0 ] && sleep 0.2; done
                  [ $n = 0 ] && exit 1
                  exec sleep 3600
            """)
        // Batches of 50 lines (2.6 KB) with pauses between them, so the pause's reads cannot take
        // a whole run at once: every run's log rotates several times (1 KiB files).
        _ = try harness.waitForPod("gzpod", timeout: 60, "the second run") { pod in
            (pod.status?.containerStatuses?.first?.restartCount ?? 0) >= 1
                && pod.status?.containerStatuses?.first?.state.running != nil
        }
        let pod = try XCTUnwrap(harness.pod("gzpod"))
        let dir = harness.logs + "/default_gzpod_\(pod.uid)/main"
        func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
        func settled(_ run: Int) -> Bool {
            let rotated = files().filter { $0.hasPrefix("\(run).log.") }
            let plain = rotated.filter { !$0.hasSuffix(".gz") }
            // Which one stays plain (the newest) is ContainerLogFiles' unit tests' business.
            return rotated.count >= 3 && plain.count == 1
        }
        // Within a monitoring period (10 s) after the newest rotation settled (10 s).
        try harness.waitFor("both runs' older rotated logs to be compressed: \(files())", timeout: 90) {
            settled(0) && settled(1)
        }
        XCTAssertFalse(files().contains { $0.hasSuffix(".tmp") }, "\(files())")

        // A real gzip file of CRI lines: gzip itself reads it.
        let gz = try XCTUnwrap(files().first { $0.hasPrefix("0.log.") && $0.hasSuffix(".gz") })
        let inflated = try DaemonHarness.runTool("/usr/bin/zcat", [dir + "/" + gz])
        XCTAssertNotNil(
            inflated.range(of: #"^\d{4}-\d\d-\d\dT[0-9:.]+Z stdout [FP] run0 line\d+\n"#, options: .regularExpression),
            String(inflated.prefix(200)))

        let current = try swiftlet(["logs", "gzpod"])
        XCTAssertEqual(current.stdout, (0..<lines).map { "run1 line\($0)\n" }.joined(), current.stderr)
        let previous = try swiftlet(["logs", "gzpod", "-p"])
        XCTAssertEqual(previous.stdout, (0..<lines).map { "run0 line\($0)\n" }.joined(), previous.stderr)
        let tail = try swiftlet(["logs", "gzpod", "-p", "--tail", "1"])
        XCTAssertEqual(tail.stdout, "run0 line\(lines - 1)\n", tail.stderr)
    }
}

/// A CLI process whose output is read while it runs.
final class StreamingCLI: Sendable {
    private let process: Process
    private final class Output: Sendable {
        let state = Mutex<(out: [UInt8], err: [UInt8], done: Bool)>(([], [], false))
    }
    private let captured = Output()

    init(_ path: String, _ arguments: [String], socket: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFTLET_SOCKET"] = socket
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try process.run()
        let captured = self.captured
        let outHandle = out.fileHandleForReading
        let errHandle = err.fileHandleForReading
        // Readers on their own threads: a full pipe would block the CLI.
        Thread.detachNewThread {
            while true {
                let data = outHandle.availableData
                if data.isEmpty { break }
                captured.state.withLock { $0.out += data }
            }
            process.waitUntilExit()
            captured.state.withLock { $0.done = true }
        }
        Thread.detachNewThread {
            while true {
                let data = errHandle.availableData
                if data.isEmpty { break }
                captured.state.withLock { $0.err += data }
            }
        }
    }

    var output: String { String(decoding: captured.state.withLock { $0.out }, as: UTF8.self) }
    var errors: String { String(decoding: captured.state.withLock { $0.err }, as: UTF8.self) }
    var exited: Bool { captured.state.withLock { $0.done } }
    var status: Int32 { process.terminationStatus }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
