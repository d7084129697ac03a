import SwiftletImages

/// Where a runtime keeps its files and cgroups. Several daemons with different values run side by side.
public struct RuntimeConfiguration: Sendable, Hashable {
    /// Persistent state: images, container writable layers, API-created pods (`/var/lib/swiftlet`).
    public var stateDirectory: String
    /// Live state, gone after reboot like the pods themselves (`/run/swiftlet`).
    public var runDirectory: String
    /// CRI container logs (`/var/log/pods`).
    public var logDirectory: String
    /// cgroup path below each hierarchy root that holds this daemon's pods (`swiftlet`).
    public var cgroupParent: String
    public var pausePath: String
    public var initPath: String
    /// CNI network configuration (`--cni-conf-dir`); no configuration file there means pods get
    /// loopback only.
    public var cniConfDirectory = "/etc/cni/net.d"
    /// Where CNI plugins are looked for, in order (`--cni-bin-dir`).
    public var cniBinDirectories = ["/opt/cni/bin", "/usr/lib/cni"]
    /// The host resolver configuration `dnsPolicy: Default` copies (`--resolv-conf`); nil: none
    /// (pods then get the local machine's resolver, as the kubelet does with `--resolv-conf ""`).
    public var resolvConf: String? = "/etc/resolv.conf"
    /// Cluster DNS servers for `ClusterFirst` pods (`--cluster-dns`); none: ClusterFirst falls back to Default.
    public var clusterDNS: [String] = []
    /// `--cluster-domain` (the kubelet has no default either).
    public var clusterDomain = ""
    /// How images are pulled: plain-HTTP registries, mirrors, credential files.
    public var registry = RegistryConfiguration()
    /// `containerLogMaxSize` (bytes, 0: never rotate) and `containerLogMaxFiles`, the kubelet's defaults;
    /// swiftlet-pause applies them from each container start on.
    public var containerLogMaxSize: Int64 = 10 << 20
    public var containerLogMaxFiles = 5

    public init(
        stateDirectory: String, runDirectory: String, logDirectory: String, cgroupParent: String,
        pausePath: String, initPath: String
    ) {
        self.stateDirectory = stateDirectory
        self.runDirectory = runDirectory
        self.logDirectory = logDirectory
        self.cgroupParent = cgroupParent
        self.pausePath = pausePath
        self.initPath = initPath
    }

    public var podsRunDirectory: String { runDirectory + "/pods" }
    public var podsStateDirectory: String { stateDirectory + "/pods" }
}
