import Foundation
import SwiftletImages
import SwiftletLifecycle
import SwiftletRuntime

/// Everything `swiftlet daemon` is told by flags or the config file.
public struct AgentConfiguration: Sendable {
    public var runtime: RuntimeConfiguration
    /// Static pod manifests; nil disables the file source.
    public var manifestDirectory: String?
    public var socketPath: String
    public var nodeName: String
    /// Labels added to the kubelet's default node labels (`--node-labels`).
    public var nodeLabels: [String: String] = [:]
    /// Crash-loop back-off: the kubelet's 10 s doubling to 300 s; tests use fractions of a second.
    public var backoffInitial: TimeInterval = 10
    public var backoffMaximum: TimeInterval = 300
    /// Full re-read of the manifest directory besides inotify (the kubelet's fileCheckFrequency).
    public var manifestRescanInterval: TimeInterval = 20
    /// The housekeeping tick (the kubelet's PLEG relist): pods that are not steady are synced, a
    /// steady pod's pause process is checked (`PodHousekeeping`), controllers and image GC run.
    public var housekeepingInterval: TimeInterval = 2
    /// Every pod is synced at least this often even without an event (the kubelet's `--sync-frequency`).
    public var syncFrequency: TimeInterval = 60
    /// The Job controller's pod-failure back-off.
    public var jobBackoff = JobBackoff()
    /// Test only: how much faster than real time the CronJob schedule clock runs.
    public var scheduleClockSpeed: Double = 1
    /// `status.hostIP` of every pod; nil: the host's first non-loopback IPv4 address.
    public var hostIP: String?
    /// `pids.max` of every pod cgroup (the kubelet's podPidsLimit); nil: unlimited.
    public var podPidsLimit: Int64?
    /// Held back from the host's capacity when admitting pods (the kubelet's system-reserved).
    public var reservedCPUMilli: Int64 = 0
    public var reservedMemoryBytes: Int64 = 0
    /// Seccomp for containers that name none: RuntimeDefault (stricter than the kubelet's Unconfined
    /// default; the kubelet's `seccompDefault: true`). `Unconfined` restores the kubelet's default.
    public var defaultSeccomp: SeccompChoice = .runtimeDefault
    /// Root of `Localhost` seccomp profiles.
    public var seccompProfileRoot = "/var/lib/swiftlet/seccomp"
    /// Pod Security Standards level enforced on pods created through the API (manifest files are
    /// root's own and are not checked), like the namespace label `pod-security.kubernetes.io/enforce`.
    public var podSecurityLevel: PodSecurityLevel = .baseline
    /// Refuse manifest files not owned by root or writable by group or others: a static pod is root on the host.
    public var requireSecureManifests = true
    /// Reported as the node's kubelet and runtime version.
    public var version = "v0.0.0"
    /// Image garbage collection marks (the kubelet's imageGCHigh/LowThresholdPercent, 85/80).
    public var imageGC = ImageGCPolicy()

    public init(runtime: RuntimeConfiguration, manifestDirectory: String?, socketPath: String, nodeName: String) {
        self.runtime = runtime
        self.manifestDirectory = manifestDirectory
        self.socketPath = socketPath
        self.nodeName = nodeName
    }
}
