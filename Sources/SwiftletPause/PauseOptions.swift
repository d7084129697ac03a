struct PauseOptions {
    var runDirectory: PodRunDirectory
    var hostname: String
    var initPath: String
    var sharePID: Bool
    /// `hostNetwork: true`: stay in the host's network and UTS namespaces.
    var hostNetwork: Bool
    /// `--cgroup FILE` (repeated): the `cgroup.procs` files of the sandbox cgroup, joined by the
    /// pause process itself (see CgroupSelfJoin) before it announces the sandbox ready.
    var cgroupProcs: [String] = []

    init(arguments: [String]) {
        runDirectory = PodRunDirectory(path: arguments[1])
        hostname = arguments[2]
        initPath = arguments[3]
        sharePID = false
        hostNetwork = false
        var rest = arguments.dropFirst(4)
        while let flag = rest.popFirst() {
            switch flag {
            case "--share-pid": sharePID = true
            case "--host-network": hostNetwork = true
            case "--cgroup": if let file = rest.popFirst() { cgroupProcs.append(file) }
            default: continue
            }
        }
    }
}
