import Foundation
import SwiftletLaunch
import SwiftletSystem

/// A command started inside a running container by `swiftlet-init exec`; the agent's ends of its stdio.
public struct ExecProcess: Sendable {
    public var pid: Int32
    /// Socket to the command's stdin; nil without stdin (it reads /dev/null).
    public var stdin: Int32?
    public var stdout: Int32
    /// nil with a terminal: the terminal carries both streams.
    public var stderr: Int32?
    /// Socket for terminal sizes (`COLUMNS ROWS` lines); nil without a terminal.
    public var terminalSizes: Int32?
}

extension PodRuntime {
    /// Starts `command` in the namespaces, cgroups and confinement of the container whose process is
    /// `pid` (host pid namespace). The agent never forks: swiftlet-init joins the container and forks there.
    public func startExec(
        uid: String, container: String, pid: Int32, command: [String], stdin: Bool, tty: Bool
    ) throws -> ExecProcess {
        let launch = runDirectory(uid: uid).launchFile(container)
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        do {
            var input: Spawn.Stdio = .null
            var stdinEnd: Int32?
            if stdin {
                let (ours, theirs) = try UnixSocket.pair()
                parentEnds.append(ours)
                childEnds.append(theirs)
                input = .fd(theirs)
                stdinEnd = ours
            }
            let out = try Spawn.pipe()
            parentEnds.append(out.read)
            childEnds.append(out.write)
            var err: (read: Int32, write: Int32)?
            var sizes: (Int32, Int32)?
            if tty {
                let pair = try UnixSocket.pair()
                parentEnds.append(pair.0)
                childEnds.append(pair.1)
                sizes = pair
            } else {
                let pipe = try Spawn.pipe()
                parentEnds.append(pipe.read)
                childEnds.append(pipe.write)
                err = pipe
            }
            let helper = configuration.initPath
            let arguments = [helper, "exec", launch, String(pid), tty ? "tty" : "notty"] + command
            let child = try Spawn.spawn(
                path: helper, arguments: arguments, environment: [], stdin: input, stdout: .fd(out.write),
                stderr: .fd(err?.write ?? out.write), extraDescriptors: sizes.map { [$0.1] } ?? [])
            return ExecProcess(
                pid: child, stdin: stdinEnd, stdout: out.read, stderr: err?.read, terminalSizes: sizes?.0)
        } catch {
            parentEnds.forEach { close($0) }
            throw error
        }
    }
}
