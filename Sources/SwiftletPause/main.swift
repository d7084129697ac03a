// swiftlet-pause: one per pod. Holds the pod's network, IPC and UTS namespaces (and the
// shared pid namespace when asked), is the parent and subreaper of every container process,
// copies their output into CRI log files, and records every start and exit atomically in the
// pod's run directory — so the agent can die and come back without a pod noticing.
//
// Foundation-free and single-threaded: it forks container processes directly, which is only
// safe in a process with one thread.
// An Embedded Swift program (no Swift runtime, no Glibc module): the code it shares with the agent
// is compiled into this module (Shared/, see Docs/architecture.md).
import CSwiftletShim

// Embedded Swift has no CommandLine; libc hands the arguments over (see CSwiftletShim).
let arguments: [String] = (0..<Int(swl_argc())).compactMap { i in swl_argv()?[i].map { String(cString: $0) } }
guard arguments.count >= 4 else {
    FileIO.report("usage: swiftlet-pause POD_RUN_DIR HOSTNAME INIT_PATH [--share-pid] [--host-network] [--cgroup PROCS_FILE]...")
    exit(2)
}
let options = PauseOptions(arguments: arguments)

// Nothing but stdio is ours to keep; whatever the spawner leaked would live as long as the pod.
_ = swl_close_range(3)

// Detach from the agent: the agent reaps this first process at once, and the pause process
// proper is reparented to init (or the host's subreaper), so it never becomes the agent's zombie
// and keeps running across agent restarts.
switch fork() {
case -1:
    FileIO.report("error fork: \(SystemError("fork"))", fd: 1)
    exit(1)
case 0:
    break
default:
    exit(0)
}

// Into the sandbox cgroup before anything else, so the namespaces and every container process
// forked from here are accounted there. Done here rather than by the agent: a single-threaded
// process joins without the kernel's global migration lock and its RCU grace period.
do { try CgroupSelfJoin.join(options.cgroupProcs) } catch {
    FileIO.report("error joining the sandbox cgroup: \(error)", fd: 1)
    exit(1)
}

// The kubelet's (containerd's) value for the sandbox: the OOM killer takes containers first.
try? FileIO.write("/proc/self/oom_score_adj", "-998")

do {
    var pause = try PauseProcess(options: options)
    pause.announceReady()
    // Start-up garbage (the Swift runtime's read of /proc/self/maps, the pause record's buffers)
    // would otherwise stay resident for the pod's life.
    Heap.releaseFreePages()
    pause.run()
} catch {
    // The agent reads this line from our stdout pipe and shows it as the sandbox error.
    FileIO.report("error \(error)", fd: 1)
    exit(1)
}
