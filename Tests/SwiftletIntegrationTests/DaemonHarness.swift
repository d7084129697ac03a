import Foundation
import SwiftletCgroups
import SwiftletClient
import SwiftletKube
import XCTest

/// A real `swiftlet daemon` in its own temporary directories, cgroup parent and socket, with a
/// busybox image imported; torn down with a leak check (processes, mounts, cgroups, files).
final class DaemonHarness {
    let root: String
    let manifests: String
    let state: String
    let run: String
    let logs: String
    let socket: String
    let cgroupParent: String
    let client: SwiftletAPIClient
    var cniConfDir: String { root + "/net.d" }
    private(set) var daemon: Process?
    private var daemonLog: FileHandle?
    /// Added to the daemon's environment (NOTIFY_SOCKET, WATCHDOG_USEC, ...).
    var environment: [String: String] = [:]
    /// A command the daemon is started through (e.g. systemd-socket-activate), which must exec it.
    var launchPrefix: [String] = []
    /// Mounts a test put under `root` (e.g. a small tmpfs as a full disk), unmounted once the daemon stopped.
    var ownedMounts: [String] = []

    static let binaries: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }()

    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// One busybox root filesystem, built once from Debian's busybox-static and reused by later runs.
    static let busyboxRootfs: String = {
        let dir = "/tmp/swiftlet-it-busybox"
        if !FileManager.default.fileExists(atPath: dir + "/bin/busybox") {
            _ = try? DaemonHarness.runTool("/bin/sh", [repository + "/scripts/make-busybox-rootfs", dir])
        }
        return dir
    }()

    static var isRoot: Bool { getuid() == 0 }

    init(_ name: String) throws {
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        root = "/tmp/swiftlet-it-\(name)-\(id)"
        manifests = root + "/manifests"
        state = root + "/state"
        run = root + "/run"
        logs = root + "/logs"
        socket = root + "/swiftlet.sock"
        cgroupParent = "swiftlet-it-\(name)-\(id)"
        client = SwiftletAPIClient(socketPath: socket)
        for dir in [manifests, state, run, logs, cniConfDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try Self.runTool(
            Self.binaries + "/swiftlet",
            ["images", "import", "--state-dir", state, "--name", "busybox", "--cmd", "sh", Self.busyboxRootfs])
    }

    @discardableResult
    static func runTool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw HarnessError("\(path) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    func start(_ extra: [String] = ["--backoff-initial", "0.2", "--backoff-max", "0.8"]) throws {
        let process = Process()
        let swiftlet = Self.binaries + "/swiftlet"
        process.executableURL = URL(fileURLWithPath: launchPrefix.first ?? swiftlet)
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.arguments = Array(launchPrefix.dropFirst()) + (launchPrefix.isEmpty ? [] : [swiftlet]) + [
            "daemon", "--manifest-dir", manifests, "--state-dir", state, "--run-dir", run, "--log-dir", logs,
            "--socket", socket, "--node-name", "it-node", "--cgroup-parent", cgroupParent,
            "--housekeeping-interval", "0.5", "--manifest-rescan-interval", "1",
            // Never the machine's /etc/cni/net.d: an empty directory (loopback only) unless a test writes a network.
            "--cni-conf-dir", cniConfDir,
        ] + extra
        FileManager.default.createFile(atPath: root + "/daemon.log", contents: nil)
        let log = FileHandle(forWritingAtPath: root + "/daemon.log")
        log?.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        daemon = process
        daemonLog = log
        try waitFor("daemon to serve on \(socket)", timeout: 20) { !process.isRunning || (try? self.client.version()) != nil }
        guard process.isRunning else { throw HarnessError("the daemon exited with \(process.terminationStatus)") }
    }

    /// The pid of the pod's swiftlet-pause, from its run directory.
    func pausePid(_ pod: Pod) throws -> Int32 {
        let text = try String(contentsOfFile: "\(run)/pods/\(pod.uid)/pause", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pid=") }), let pid = Int32(line.dropFirst(4))
        else { throw HarnessError("no pause pid in \(text)") }
        return pid
    }

    /// Whether a process runs: a zombie does not (this machine's PID 1 reaps orphans slowly).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    /// Forgets a daemon that exited on its own (a start that was meant to fail).
    func stopFailedStart() {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
        daemon?.waitUntilExit()
        daemon = nil
    }

    /// SIGKILL: what a crash or `kill -9` does. Pods must keep running.
    func kill9() {
        guard let daemon else { return }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        self.daemon = nil
    }

    func stop() {
        guard let daemon else { return }
        daemon.terminate()
        daemon.waitUntilExit()
        self.daemon = nil
    }

    /// Writes a manifest the way editors and config tools should: a dotfile renamed into place.
    func write(_ name: String, _ text: String) throws {
        let tmp = manifests + "/." + name + ".tmp"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, manifests + "/" + name) == 0 else { throw HarnessError("rename \(name) failed") }
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: manifests + "/" + name)
    }

    func pod(_ name: String, namespace: String = "default") -> Pod? {
        try? client.getPod(namespace: namespace, name: name)
    }

    @discardableResult
    func waitForPod(
        _ name: String, timeout: TimeInterval = 30, _ what: String = "condition", _ condition: (Pod) -> Bool
    ) throws -> Pod {
        var last: Pod?
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let pod = pod(name) {
                last = pod
                if condition(pod) { return pod }
            }
            usleep(50_000)
        }
        throw HarnessError("pod \(name): timed out waiting for \(what); last status: \(Self.describe(last?.status))")
    }

    func waitForRunning(_ name: String, timeout: TimeInterval = 30) throws -> Pod {
        try waitForPod(name, timeout: timeout, "Running with all containers running") { pod in
            pod.status?.phase == .running
                && (pod.status?.containerStatuses ?? []).allSatisfy { $0.state.running != nil }
        }
    }

    func waitForGone(_ name: String, timeout: TimeInterval = 30) throws {
        try waitFor("pod \(name) to be gone", timeout: timeout) { self.pod(name) == nil }
    }

    func waitFor(_ what: String, timeout: TimeInterval, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(50_000)
        }
        throw HarnessError("timed out waiting for \(what)")
    }

    /// The container's log through the API (`GET …/log`).
    func logs(_ pod: String, _ container: String, previous: Bool = false) -> String {
        var query = SwiftletAPIClient.LogQuery()
        query.container = container
        query.previous = previous
        var bytes: [UInt8] = []
        try? client.streamLogs(namespace: "default", pod: pod, options: query) { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    func waitForLog(_ pod: String, _ container: String, contains text: String, timeout: TimeInterval = 20) throws -> String {
        var log = ""
        do {
            try waitFor("\"\(text)\" in the log of \(pod)/\(container)", timeout: timeout) {
                log = logs(pod, container)
                return log.contains(text)
            }
        } catch {
            throw HarnessError("\(error); log was:\n\(log)")
        }
        return log
    }

    static func describe(_ status: PodStatus?) -> String {
        guard let status, let data = try? KubeJSON.encode(status) else { return "none" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Leaks

    /// Processes whose command line or root mentions this harness's directories.
    func leakedProcesses() -> [String] {
        var found: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid(), pid != daemon?.processIdentifier else { continue }
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let cmdline = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            let rootLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/root")) ?? ""
            if cmdline.contains(root) || rootLink.contains(root) { found.append("\(pid): \(cmdline)") }
        }
        return found
    }

    func leakedMounts() -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4].hasPrefix(root) ? String(fields[4]) : nil
        }
    }

    /// cgroups below this daemon's parent, in every hierarchy.
    func leakedCgroups() -> [String] {
        var found: [String] = []
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            let parent = "/sys/fs/cgroup/\(hierarchy)/\(cgroupParent)"
            for child in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: parent + "/" + child, isDirectory: &isDir), isDir.boolValue {
                    found.append(parent + "/" + child)
                }
            }
        }
        return found
    }

    /// Deletes every pod through the daemon, stops it, and returns whatever was left behind.
    func tearDown() -> [String] {
        var problems: [String] = []
        if daemon == nil, FileManager.default.fileExists(atPath: root) {
            // A test that killed the daemon: restart it so it can clean up its pods.
            try? start()
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: manifests)) ?? [] {
            try? FileManager.default.removeItem(atPath: manifests + "/" + name)
        }
        // Stored objects first: a ReplicaSet, Job or Deployment a failed test left would re-create
        // the pods deleted below, and its pods would outlive the daemon. Files are gone already.
        for type in KubeObjectKinds.all {
            for object in (try? client.listObjects(of: type, namespace: nil)) ?? [] {
                _ = try? client.deleteObject(of: type, namespace: object.namespace, name: object.name)
            }
        }
        for pod in (try? client.listPods(namespace: nil).items) ?? [] where pod.metadata.annotations?["kubernetes.io/config.source"] == "api" {
            _ = try? client.deletePod(namespace: pod.namespace, name: pod.name, gracePeriodSeconds: 0)
        }
        do {
            try waitFor("all pods to be gone", timeout: 60) { ((try? self.client.listPods(namespace: nil).items.count) ?? 0) == 0 }
        } catch {
            problems.append("\(error)")
        }
        stop()
        for mount in ownedMounts.reversed() { _ = try? Self.runTool("/bin/umount", [mount]) }
        problems += leakedProcesses().map { "process: \($0)" }
        problems += leakedMounts().map { "mount: \($0)" }
        problems += leakedCgroups().map { "cgroup: \($0)" }
        // Force-clean so one failure does not cascade into the next test. Everything still in this
        // daemon's cgroups is killed through the agent's own cgroup kill first: a container process
        // whose pause process died is reparented to PID 1 and names nothing of the test in its
        // command line, but it stays in its pod cgroup (which it would keep from being removed).
        if let driver = try? detectCgroupDriver(), let killed = try? driver.sweep(cgroupParent), !killed.isEmpty {
            problems += killed.map { "process in cgroup \(cgroupParent): \($0)" }
        }
        for pid in leakedProcesses().compactMap({ Int32($0.split(separator: ":")[0]) }) { kill(pid, SIGKILL) }
        // A cgroup with a dying process in it cannot be removed: wait for the killed ones to go.
        try? waitFor("the leaked processes to exit", timeout: 10) { self.leakedProcesses().isEmpty }
        for mount in leakedMounts().sorted(by: { $0.count > $1.count }) { _ = try? Self.runTool("/bin/umount", ["-l", mount]) }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            let parent = "/sys/fs/cgroup/\(hierarchy)/\(cgroupParent)"
            guard FileManager.default.fileExists(atPath: parent) else { continue }
            _ = try? Self.runTool("/usr/bin/find", [parent, "-depth", "-type", "d", "-exec", "rmdir", "{}", ";"])
        }
        if problems.isEmpty { try? FileManager.default.removeItem(atPath: root) }
        return problems
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Base class: one daemon per test, torn down with a leak check.
class IntegrationTestCase: XCTestCase {
    var harness: DaemonHarness!

    var daemonArguments: [String] { ["--backoff-initial", "0.2", "--backoff-max", "0.8"] }

    override func setUpWithError() throws {
        try XCTSkipUnless(DaemonHarness.isRoot, "integration tests start real pods and need root")
        harness = try DaemonHarness(String(describing: type(of: self)).lowercased().replacingOccurrences(of: "tests", with: ""))
        try harness.start(daemonArguments)
    }

    override func tearDownWithError() throws {
        guard let harness else { return }
        let problems = harness.tearDown()
        if !problems.isEmpty {
            let log = (try? String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)) ?? ""
            XCTFail("left behind:\n" + problems.joined(separator: "\n") + "\n--- daemon log (tail) ---\n" + String(log.suffix(3000)))
        }
        self.harness = nil
    }
}
