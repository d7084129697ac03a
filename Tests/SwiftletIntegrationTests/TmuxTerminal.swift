import Foundation
import SwiftletSystem

/// A real terminal for the interactive CLI commands (`exec -it`, `attach -it`): a detached tmux
/// session on a server of its own (a socket name unique per run, so parallel tests never meet)
/// running one shell command in a window of a known size. `kill()` ends the server.
struct TmuxTerminal {
    let socket: String

    /// Starts `command` under `sh -c` in a `columns`×`rows` window.
    init(_ label: String, command: String, columns: Int = 100, rows: Int = 30) throws {
        socket = "swiftlet-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // The tmux server outlives this call and would keep Foundation's Process bookkeeping
        // descriptors open (its waitUntilExit never returns): posix_spawn with stdio only.
        let client = try Spawn.spawn(
            path: "/usr/bin/tmux",
            arguments: ["tmux", "-L", socket, "new-session", "-d", "-x", String(columns), "-y", String(rows), "sh", "-c", command],
            environment: ["PATH=/usr/bin:/bin", "TERM=xterm"])
        let status = ExitStatus(waitStatus: try Spawn.wait(client))
        guard status.exitCode == 0 else {
            kill()
            throw HarnessError("tmux new-session failed: \(status)")
        }
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try DaemonHarness.runTool("/usr/bin/tmux", ["-L", socket] + arguments)
    }

    /// What the window shows now (wrapped lines joined); empty if tmux cannot say.
    var screen: String { (try? tmux(["capture-pane", "-p", "-J"])) ?? "" }

    /// Types `text` literally (`\r` is Enter).
    func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }

    func resize(columns: Int, rows: Int) throws { try tmux(["resize-window", "-x", String(columns), "-y", String(rows)]) }

    func kill() { _ = try? tmux(["kill-server"]) }
}
