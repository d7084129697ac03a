import Foundation
import SwiftletClient
import SwiftletKube
import SwiftletSystem

/// Runs an exec or attach session from this terminal: raw mode and window sizes with `terminal`,
/// our stdin streamed with `stdin`, output to our stdout/stderr.
func runInteractive(_ session: ExecConnection, stdin: Bool, terminal: Bool) throws -> ExecResult {
    var saved: termios?
    var resizeSource: (any DispatchSourceSignal)?
    if terminal {
        if let size = Terminal.size(1) ?? Terminal.size(0) { session.resize(TerminalSize(width: size.columns, height: size.rows)) }
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler {
            if let size = Terminal.size(1) ?? Terminal.size(0) {
                session.resize(TerminalSize(width: size.columns, height: size.rows))
            }
        }
        source.resume()
        resizeSource = source
        saved = Terminal.makeRaw(0)
    }
    defer {
        resizeSource?.cancel()
        if let saved { Terminal.restore(0, saved) }
    }
    if stdin {
        Thread.detachNewThread {
            FileIO.readUntilEnd(0) { chunk in
                session.sendStdin(Array(chunk))
                return true
            }
            session.closeStdin()
        }
    }
    return try session.run { channel, bytes in
        let fd: Int32 = channel == .stderr ? 2 : 1
        try? FileIO.writeAll(fd, bytes, subject: channel == .stderr ? "stderr" : "stdout")
    }
}
