// swiftlet-init: runs inside the freshly cloned container process (new mount and pid
// namespaces, already in the pod's net/ipc/uts), turns it into the container — cgroup,
// root filesystem, /proc, /dev, /sys, working directory, environment — and execs the command,
// which so becomes PID 1 of the container. Foundation-free; nothing here outlives the exec.
import Glibc
import SwiftletLaunch
import SwiftletSystem

let arguments = CommandLine.arguments
guard arguments.count == 5, let attempt = Int(arguments[4]) else {
    FileIO.report("usage: swiftlet-init LAUNCH_FILE STATUS_DIR CONTAINER ATTEMPT")
    exit(RunRecord.startErrorExitCode)
}
let errorFile = RunRecord.errorFile(arguments[2], arguments[3], attempt)

do {
    guard let text = try FileIO.readString(arguments[1]) else {
        throw ContainerSetupError(stage: "read launch spec", detail: arguments[1] + ": no such file")
    }
    let spec = try LaunchSpec(decoding: text)
    try ContainerSetup(spec: spec).run()
} catch {
    // The agent turns this file into `terminated: {reason: StartError, exitCode: 128, message}`.
    let message = "\(error)"
    try? FileIO.writeAtomically(errorFile, message)
    FileIO.report("swiftlet-init: \(message)")
    exit(RunRecord.startErrorExitCode)
}
