import Foundation
import SwiftletClient

/// The `swiftlet daemon` this bench starts for itself, with every directory in its temp dir.
final class BenchDaemon {
    let paths: BenchPaths
    private let process = Process()

    init(paths: BenchPaths) { self.paths = paths }

    var pid: Int32 { process.processIdentifier }

    /// Open file descriptors of the daemon (/proc/PID/fd).
    func fdCount() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count }
    var isRunning: Bool { process.isRunning }

    func start() throws {
        _ = FileManager.default.createFile(atPath: paths.daemonLog, contents: nil)
        guard let log = FileHandle(forWritingAtPath: paths.daemonLog) else {
            throw BenchError.io(path: paths.daemonLog, reason: "cannot open for writing")
        }
        process.executableURL = URL(fileURLWithPath: paths.swiftlet)
        process.arguments = [
            "daemon",
            "--manifest-dir", paths.manifestDir, "--state-dir", paths.stateDir, "--run-dir", paths.runDir,
            "--log-dir", paths.logDir, "--socket", paths.socket, "--cgroup-parent", paths.cgroupParent,
            "--node-name", "bench", "--housekeeping-interval", "2",
            // Loopback-only pods, the counterpart of podman's --network none: otherwise the host's
            // /etc/cni/net.d (podman's bridge config here) gives every pod bridge, portmap and
            // firewall plugins, whose iptables runs dominated a profile of the single-pod start.
            "--cni-conf-dir", "none",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
    }

    /// Waits until the API answers.
    func waitReady(client: SwiftletAPIClient, timeout: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if (try? client.version()) != nil { return }
            guard process.isRunning else {
                throw BenchError.command(
                    path: paths.swiftlet, arguments: process.arguments ?? [], status: process.terminationStatus,
                    output: "daemon exited; see \(paths.daemonLog)")
            }
            if ContinuousClock.now > deadline { throw BenchError.timeout(what: "the daemon's API", after: timeout) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns false if SIGKILL was needed.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
}
