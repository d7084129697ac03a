import Foundation
import SwiftletKube
import SwiftletSystem
import XCTest

/// `swiftlet attach`: the container's own stdin (kept by swiftlet-pause) and output.
final class AttachTests: IntegrationTestCase {
    /// stdinOnce: the container reads what the client sends, then EOF once the session ends.
    func testAttachWithStdinOnceFeedsAndThenClosesStdin() throws {
        try harness.write(
            "once.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: once}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: busybox
                stdin: true
                stdinOnce: true
                command: ["sh", "-c", "echo ready; while read l; do echo got:$l; done; echo stdin-closed; exit 3"]
            """)
        _ = try harness.waitForLog("once", "main", contains: "ready", timeout: 60)
        let attached = try swiftlet(["attach", "once", "-i"], input: "hello\nworld\n")
        XCTAssertEqual(attached.status, 0, attached.stderr)
        XCTAssertEqual(attached.stdout, "got:hello\ngot:world\nstdin-closed\n", attached.stderr)
        let pod = try harness.waitForPod("once", timeout: 30, "the container to exit") {
            $0.status?.containerStatuses?.first?.state.terminated != nil
        }
        XCTAssertEqual(pod.status?.containerStatuses?.first?.state.terminated?.exitCode, 3)
        XCTAssertEqual(harness.logs("once", "main"), "ready\ngot:hello\ngot:world\nstdin-closed\n")
    }

    /// Several clients see the same output; only `stdin: true` containers take input.
    func testOutputGoesToEveryAttachedClient() throws {
        try harness.write(
            "shared.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: shared}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                stdin: true
                command: ["sh", "-c", "echo ready; while read l; do echo got:$l; [ \\"$l\\" = quit ] && exit 0; done"]
              - name: nostdin
                image: busybox
                command: ["sleep", "3600"]
            """)
        _ = try harness.waitForLog("shared", "main", contains: "ready", timeout: 60)
        let watcher = try StreamingCLI(DaemonHarness.binaries + "/swiftlet", ["attach", "shared", "-c", "main"], socket: harness.socket)
        defer { watcher.stop() }
        try harness.waitFor("the first client to be attached", timeout: 30) {
            ((try? String(contentsOfFile: self.harness.root + "/daemon.log", encoding: .utf8)) ?? "")
                .contains("attach to default/shared/main")
        }
        let typist = try swiftlet(["attach", "shared", "-c", "main", "-i"], input: "first\nquit\n")
        XCTAssertEqual(typist.status, 0, typist.stderr)
        XCTAssertEqual(typist.stdout, "got:first\ngot:quit\n", typist.stderr)
        try harness.waitFor("the first client to end with the container", timeout: 30) { watcher.exited }
        XCTAssertEqual(watcher.output, "got:first\ngot:quit\n", watcher.errors)

        let refused = try swiftlet(["attach", "shared", "-c", "nostdin", "-i"], input: "x\n")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("stdin is not enabled for container nostdin"), refused.stderr)
        _ = try harness.waitForPod("shared", timeout: 30, "main to be reported terminated") {
            $0.status?.containerStatuses?.first { $0.name == "main" }?.state.terminated != nil
        }
        let done = try swiftlet(["attach", "shared", "-c", "main"])
        XCTAssertEqual(done.status, 1)
        XCTAssertTrue(done.stderr.contains("container main is not running in pod shared"), done.stderr)
    }

    /// `tty: true` + `attach -it` inside tmux: the container's own terminal (a pts device of its
    /// devpts), sized like the window and following it, and what the terminal showed is in the log.
    func testAttachToATerminalFollowsTheWindow() throws {
        try harness.write(
            "term.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: term}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              containers:
              - {name: main, image: busybox, stdin: true, tty: true, command: ["sh"]}
            """)
        _ = try harness.waitForRunning("term")
        let result = harness.root + "/attach-exit"
        let cli = "\(DaemonHarness.binaries)/swiftlet attach --socket \(harness.socket) -it term; echo exit=$? > \(result)"
        let terminal = try TmuxTerminal("attach", command: cli, columns: 100, rows: 30)
        defer { terminal.kill() }
        try harness.waitFor("kubectl's hint", timeout: 30) { terminal.screen.contains("try pressing enter") }
        // The shell printed its prompt before we attached: ask for a new one, as the hint says.
        try terminal.type("\r")
        try harness.waitFor("the container's shell prompt", timeout: 30) { terminal.screen.contains("#") }
        try terminal.type("echo T=$(tty) S=$(stty size)\r")
        try harness.waitFor("the terminal's name and size", timeout: 20) { terminal.screen.contains("T=/dev/pts/") }
        XCTAssertTrue(terminal.screen.contains("T=/dev/pts/0 S=30 100"), terminal.screen)
        try terminal.resize(columns: 120, rows: 40)
        try terminal.type("echo R=$(stty size)\r")
        try harness.waitFor("the new size", timeout: 20) { terminal.screen.contains("R=40 120") }
        try terminal.type("exit 7\r")
        try harness.waitFor("the CLI to end with the container", timeout: 20) {
            ((try? String(contentsOfFile: result, encoding: .utf8)) ?? "").contains("exit=")
        }
        XCTAssertEqual(try String(contentsOfFile: result, encoding: .utf8), "exit=0\n")
        let pod = try harness.waitForPod("term", timeout: 30, "the container to exit") {
            $0.status?.containerStatuses?.first?.state.terminated != nil
        }
        XCTAssertEqual(pod.status?.containerStatuses?.first?.state.terminated?.exitCode, 7)
        XCTAssertTrue(harness.logs("term", "main").contains("T=/dev/pts/0 S=30 100"), harness.logs("term", "main"))
    }
}
