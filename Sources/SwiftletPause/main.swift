// swiftlet-pause: one per pod. Holds the pod's network, IPC and UTS namespaces (and the
// shared pid namespace when asked), is the parent and subreaper of every container process,
// copies their output into CRI log files, and records every start and exit atomically in the
// pod's run directory — so the agent can die and come back without a pod noticing.
//
// Foundation-free and single-threaded: it forks container processes directly, which is only
// safe in a process with one thread.
import CSwiftletShim
import Glibc
import SwiftletLaunch
import SwiftletSystem

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileIO.report("usage: swiftlet-pause POD_RUN_DIR HOSTNAME INIT_PATH [--share-pid]")
    exit(2)
}
let options = PauseOptions(
    runDirectory: PodRunDirectory(path: arguments[1]), hostname: arguments[2], initPath: arguments[3],
    sharePID: arguments.dropFirst(4).contains("--share-pid"))

do {
    var pause = try PauseProcess(options: options)
    pause.announceReady()
    pause.run()
} catch {
    // The agent reads this line from our stdout pipe and shows it as the sandbox error.
    FileIO.report("error \(error)")
    exit(1)
}
