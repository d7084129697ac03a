// swiftlet-init: runs inside the freshly cloned container process (new mount and pid
// namespaces, already in the pod's net/ipc/uts), turns it into the container — cgroup,
// root filesystem, /proc, /dev, /sys, working directory, environment — and execs the command,
// which so becomes PID 1 of the container. Foundation-free; nothing here outlives the exec.
import Glibc
import SwiftletLaunch
import SwiftletSystem

let arguments = CommandLine.arguments
if arguments.count >= 6, arguments[1] == "exec" {
    runExec(arguments)
}
guard arguments.count == 5, let attempt = Int(arguments[4]) else {
    FileIO.report("usage: swiftlet-init LAUNCH_FILE STATUS_DIR CONTAINER ATTEMPT")
    exit(RunRecord.startErrorExitCode)
}
let errorFile = RunRecord.errorFile(arguments[2], arguments[3], attempt)
// Opened before pivot_root: after it the status directory has no name in our mount namespace.
// Close-on-exec, so the command never sees it.
let statusDirectory = open(arguments[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC)

do {
    guard let text = try FileIO.readString(arguments[1]) else {
        throw ContainerSetupError(stage: "read launch spec", detail: arguments[1] + ": no such file")
    }
    let spec = try LaunchSpec(decoding: text)
    try ContainerSetup(spec: spec).run()
} catch {
    // The agent turns this file into `terminated: {reason: StartError, exitCode: 128, message}`.
    let message = "\(error)"
    let name = String(errorFile.split(separator: "/").last ?? "")
    if (try? FileIO.writeAtomically(directory: statusDirectory, name: name, message)) == nil {
        try? FileIO.writeAtomically(errorFile, message)
    }
    FileIO.report("swiftlet-init: \(message)")
    exit(RunRecord.startErrorExitCode)
}

/// `swiftlet-init exec LAUNCH_FILE PID tty|notty COMMAND...` (see ExecSession).
func runExec(_ arguments: [String]) -> Never {
    do {
        guard let target = pid_t(arguments[3]), target > 0, ["tty", "notty"].contains(arguments[4]) else {
            throw ContainerSetupError(stage: "exec", detail: "usage: swiftlet-init exec LAUNCH_FILE PID tty|notty COMMAND...")
        }
        guard let text = try FileIO.readString(arguments[2]) else {
            throw ContainerSetupError(stage: "read launch spec", detail: arguments[2] + ": no such file")
        }
        let spec = try LaunchSpec(decoding: text)
        try ExecSession(spec: spec, target: target, tty: arguments[4] == "tty", command: Array(arguments[5...])).run()
    } catch {
        FileIO.report("swiftlet exec: \(error)")
        exit(ExecSession.cannotRun)
    }
}
