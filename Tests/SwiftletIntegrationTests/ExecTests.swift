import Foundation
import SwiftletKube
import SwiftletSystem
import XCTest

/// `swiftlet exec`: a command joins a running container (namespaces, cgroup, user, capabilities,
/// seccomp), with stdin, a real terminal and the command's exit code.
final class ExecTests: IntegrationTestCase {
    func testExecRunsInTheContainerAsItsUserWithItsCapabilities() throws {
        try harness.write(
            "target.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: target}
            spec:
              terminationGracePeriodSeconds: 0
              securityContext: {runAsUser: 1000, runAsGroup: 3000}
              containers:
              - name: main
                image: busybox
                env: [{name: GREETING, value: from-the-spec}]
                workingDir: /tmp
                securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
                command: ["sh", "-c", "echo marker > /tmp/inside; exec sleep 3600"]
            """)
        _ = try harness.waitForRunning("target")
        try harness.waitFor("the container's marker file", timeout: 20) {
            (try? self.swiftlet(["exec", "target", "--", "cat", "/tmp/inside"]))?.stdout == "marker\n"
        }
        let probe = try swiftlet([
            "exec", "target", "--", "sh", "-c",
            "id -u; id -g; pwd; echo $GREETING; grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status; grep CapEff /proc/1/status | sed s/CapEff/Pid1CapEff/; cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname",
        ])
        XCTAssertEqual(probe.status, 0, probe.stderr)
        let lines = probe.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(Array(lines.prefix(4)), ["1000", "3000", "/tmp", "from-the-spec"], probe.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("CapBnd:") && $0.hasSuffix("0000000000000400") }, "NET_BIND_SERVICE only: \(probe.stdout)")
        // A non-root user keeps no effective capabilities across exec (no ambient set), like the container's own process.
        let effective = lines.first { $0.hasPrefix("CapEff:") }.map { $0.dropFirst(7).trimmingCharacters(in: .whitespaces) }
        let pid1Effective = lines.first { $0.hasPrefix("Pid1CapEff:") }.map { $0.dropFirst(11).trimmingCharacters(in: .whitespaces) }
        XCTAssertNotNil(effective, probe.stdout)
        XCTAssertEqual(effective, pid1Effective, probe.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Seccomp:") && $0.hasSuffix("2") }, "RuntimeDefault filter: \(probe.stdout)")
        XCTAssertTrue(lines.contains("sleep 3600"), "the container's pid namespace: \(probe.stdout)")
        XCTAssertTrue(lines.contains("target"), "the pod's hostname: \(probe.stdout)")

        // stdin streams through -i and its end reaches the command.
        let echo = try swiftlet(["exec", "-i", "target", "--", "sh", "-c", "tr a-z A-Z; echo done"], input: "hello\nworld\n")
        XCTAssertEqual(echo.stdout, "HELLO\nWORLD\ndone\n", echo.stderr)

        // The command's exit code becomes the CLI's; stderr stays stderr.
        let failing = try swiftlet(["exec", "target", "--", "sh", "-c", "echo oops >&2; exit 7"])
        XCTAssertEqual(failing.status, 7)
        XCTAssertEqual(failing.stdout, "")
        XCTAssertTrue(failing.stderr.contains("oops"), failing.stderr)
        XCTAssertTrue(failing.stderr.contains("command terminated with exit code 7"), failing.stderr)

        let missing = try swiftlet(["exec", "target", "--", "no-such-command"])
        XCTAssertEqual(missing.status, 127, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("executable file not found in $PATH"), missing.stderr)

        let unknownPod = try swiftlet(["exec", "nope", "--", "true"])
        XCTAssertEqual(unknownPod.status, 1)
        XCTAssertTrue(unknownPod.stderr.contains("pods \"nope\" not found"), unknownPod.stderr)
    }

    /// `exec -it` inside tmux: a pts device of the container, the terminal's size at start and after a resize.
    func testExecWithTerminalFollowsTheWindowAndPropagatesTheExitCode() throws {
        try harness.write(
            "shell.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: shell}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - {name: main, image: busybox, command: ["sleep", "3600"]}
            """)
        _ = try harness.waitForRunning("shell")
        let result = harness.root + "/exec-exit"
        let cli = "\(DaemonHarness.binaries)/swiftlet exec --socket \(harness.socket) -it shell -- sh; echo exit=$? > \(result)"
        let terminal = try TmuxTerminal("exec", command: cli, columns: 100, rows: 30)
        defer { terminal.kill() }
        try harness.waitFor("the container's shell prompt", timeout: 30) { terminal.screen.contains("#") }
        try terminal.type("echo T=$(tty) S=$(stty size)\r")
        try harness.waitFor("the terminal's name and size", timeout: 20) { terminal.screen.contains("T=/dev/pts/") }
        let first = terminal.screen
        XCTAssertTrue(first.contains("S=30 100"), first)

        try terminal.resize(columns: 120, rows: 40)
        try terminal.type("echo R=$(stty size)\r")
        try harness.waitFor("the new size", timeout: 20) { terminal.screen.contains("R=") }
        XCTAssertTrue(terminal.screen.contains("R=40 120"), terminal.screen)

        try terminal.type("exit 5\r")
        try harness.waitFor("the CLI to exit", timeout: 20) { FileManager.default.fileExists(atPath: result) }
        try harness.waitFor("the exit code", timeout: 5) {
            ((try? String(contentsOfFile: result, encoding: .utf8)) ?? "").contains("exit=")
        }
        XCTAssertEqual(try String(contentsOfFile: result, encoding: .utf8), "exit=5\n")
    }
}

/// The swiftlet CLI run against the test's daemon.
extension IntegrationTestCase {
    struct CLIResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the swiftlet CLI with `input` on stdin and waits for it.
    func swiftlet(_ arguments: [String], input: String? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonHarness.binaries + "/swiftlet")
        process.arguments = arguments + []
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFTLET_SOCKET"] = harness.socket
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
