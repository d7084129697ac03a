import ArgumentParser
@preconcurrency import Dispatch
import Foundation
import Logging
import SwiftletAgent
import SwiftletCgroups
import SwiftletImages
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletServer
import SwiftletSystem

/// `swiftlet daemon`: runs the node agent.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "Run the node agent.",
        discussion: """
            Runs pods from the manifest directory and from the API socket until stopped. Stopping the \
            agent (SIGTERM, SIGINT) leaves pods running; the next start re-adopts them, unless \
            --drain-on-exit is set. SIGHUP re-reads the config file and the manifest directory.
            Every flag is also a key of the --config file (Docs/configuration.md); flags win.
            """)

    @Option(help: "Configuration file (YAML); flags given on the command line win.") var config: String?
    @Option(help: "Static pod manifest directory (\"\" turns the static source off).") var manifestDir: String?
    @Option(help: "Persistent state: images, writable layers, API pods.") var stateDir: String?
    @Option(help: "Live state (pause sockets, run records).") var runDir: String?
    @Option(help: "Container log directory.") var logDir: String?
    @Option(help: "API socket path.") var socket: String?
    @Option(help: "Node name (spec.nodeName, event source).") var nodeName: String?
    @Option(help: "Labels added to the node's defaults, e.g. disktype=ssd,zone=a (nodeSelector, DaemonSets); repeatable.")
    var nodeLabels: [String] = []
    @Option(help: "cgroup below each hierarchy root for this daemon's pods.") var cgroupParent: String?
    @Option(help: "Initial crash-loop back-off in seconds (kubelet: 10).") var backoffInitial: String?
    @Option(help: "Maximum crash-loop back-off in seconds (kubelet: 300).") var backoffMax: String?
    @Option(help: "Seconds between housekeeping ticks (pods not steady are synced).") var housekeepingInterval: String?
    @Option(help: "Seconds between syncs of a steady pod without an event (kubelet: 60).") var syncFrequency: String?
    @Option(help: "Seconds between full re-reads of the manifest directory.") var manifestRescanInterval: String?
    @Option(help: "First back-off in seconds before a failed Job pod is replaced (Job controller: 10).") var jobBackoffInitial: String?
    @Option(help: "Maximum Job pod-failure back-off in seconds (Job controller: 600).") var jobBackoffMax: String?
    @Option(help: "TEST ONLY: the CronJob schedule clock runs this many times faster than real time (default 1).")
    var scheduleClockSpeed: String?
    @Option(help: "pids.max of every pod cgroup (the kubelet's podPidsLimit); -1 = unlimited.") var podPidsLimit: String?
    @Option(help: "Resources held back from pods, e.g. cpu=100m,memory=256Mi.") var systemReserved: String?
    @Option(help: "Seccomp for containers that name none: RuntimeDefault (default) or Unconfined.") var defaultSeccomp: String?
    @Option(help: "Directory of Localhost seccomp profiles (default: STATE_DIR/seccomp).") var seccompProfileRoot: String?
    @Option(help: "Pod Security Standards level for API-created pods: privileged, baseline (default), restricted.")
    var podSecurityLevel: String?
    @Flag(help: "Accept manifest files that are not root-owned or are group/world-writable.") var allowInsecureManifests = false
    @Option(help: "Group owning the API socket (its members may connect and read).") var socketGroup: String?
    @Option(help: "Group whose members may also create and delete pods (root always may).") var adminGroup: String?
    @Option(help: "Log format on stderr: text (default; journald priorities under systemd) or json.") var logFormat: String?
    @Option(help: "Log level: trace, debug, info (default), notice, warning, error, critical.") var logLevel: String?
    @Flag(help: "On SIGTERM/SIGINT, stop every pod gracefully before exiting (default: leave pods running).")
    var drainOnExit = false
    @Option(help: "Seconds between systemd WATCHDOG=1 pings (default: half of WatchdogSec).") var watchdogInterval: String?
    @Option(help: "CNI network configuration directory (the lowest-sorting .conflist/.conf is used; none: loopback only).")
    var cniConfDir: String?
    @Option(help: "Directory of CNI plugins; repeat for several (default /opt/cni/bin and /usr/lib/cni).")
    var cniBinDir: [String] = []
    @Option(help: "Host resolver file for dnsPolicy Default (\"\" for none; default /etc/resolv.conf).") var resolvConf: String?
    @Option(help: "Cluster DNS server for ClusterFirst pods; repeat for several (none: ClusterFirst acts as Default).")
    var clusterDns: [String] = []
    @Option(help: "Cluster domain for DNS search paths and pod FQDNs (the kubelet's --cluster-domain).") var clusterDomain: String?
    @Option(help: "Registry host[:port] reached over plain HTTP; repeat for several (localhost and 127.0.0.0/8 always are).")
    var insecureRegistry: [String] = []
    @Option(help: "HOST=URL: a mirror tried before registry HOST; repeat for several (docker.io for Docker Hub).")
    var registryMirror: [String] = []
    @Option(help: "docker-style config.json with registry credentials (default STATE_DIR/config.json, then ~/.docker/config.json).")
    var registryConfig: String?
    @Option(help: "Image filesystem usage (%) that starts image garbage collection (kubelet: 85).") var imageGcHighThresholdPercent: String?
    @Option(help: "Usage (%) image garbage collection brings it down to (kubelet: 80).") var imageGcLowThresholdPercent: String?
    @Option(help: "Seconds an image is kept at least, used or not (kubelet's imageMinimumGCAge: 120).") var imageMinimumGcAge: String?
    @Option(help: "Size at which a container's log file is rotated, e.g. 10Mi (kubelet: 10Mi; 0: never).") var containerLogMaxSize: String?
    @Option(help: "Log files kept per container run, the live one included (kubelet: 5).") var containerLogMaxFiles: String?
    @Flag(help: "Validate the configuration and exit.") var checkConfig = false
    @Flag(help: "Print a configuration file with every setting and its default, and exit.") var printConfig = false

    /// The flags given, by config key; `DaemonSettings.schema` parses them exactly like the file.
    var flagValues: [(key: String, value: String?)] {
        [
            ("manifestDir", manifestDir), ("stateDir", stateDir), ("runDir", runDir), ("logDir", logDir),
            ("socket", socket), ("nodeName", nodeName), ("cgroupParent", cgroupParent),
            ("nodeLabels", nodeLabels.isEmpty ? nil : nodeLabels.joined(separator: ",")),
            ("backoffInitial", backoffInitial), ("backoffMax", backoffMax), ("housekeepingInterval", housekeepingInterval),
            ("syncFrequency", syncFrequency),
            ("manifestRescanInterval", manifestRescanInterval), ("podPidsLimit", podPidsLimit),
            ("systemReserved", systemReserved), ("defaultSeccomp", defaultSeccomp),
            ("seccompProfileRoot", seccompProfileRoot), ("podSecurityLevel", podSecurityLevel),
            ("allowInsecureManifests", allowInsecureManifests ? "true" : nil), ("socketGroup", socketGroup),
            ("adminGroup", adminGroup), ("logFormat", logFormat), ("logLevel", logLevel),
            ("drainOnExit", drainOnExit ? "true" : nil), ("watchdogInterval", watchdogInterval),
            ("cniConfDir", cniConfDir), ("cniBinDir", cniBinDir.isEmpty ? nil : cniBinDir.joined(separator: ",")),
            ("resolvConf", resolvConf), ("clusterDNS", clusterDns.isEmpty ? nil : clusterDns.joined(separator: ",")),
            ("clusterDomain", clusterDomain),
            ("insecureRegistry", insecureRegistry.isEmpty ? nil : insecureRegistry.joined(separator: ",")),
            ("registryMirror", registryMirror.isEmpty ? nil : registryMirror.joined(separator: ",")),
            ("registryConfig", registryConfig), ("imageGcHighThresholdPercent", imageGcHighThresholdPercent),
            ("imageGcLowThresholdPercent", imageGcLowThresholdPercent), ("imageMinimumGcAge", imageMinimumGcAge),
            ("containerLogMaxSize", containerLogMaxSize), ("containerLogMaxFiles", containerLogMaxFiles),
            ("jobBackoffInitial", jobBackoffInitial), ("jobBackoffMax", jobBackoffMax), ("scheduleClockSpeed", scheduleClockSpeed),
        ]
    }

    func settings() throws -> DaemonSettings {
        var settings = try DaemonSettings.load(path: config)
        try settings.override(flagValues)
        return settings
    }

    func run() async throws {
        if printConfig {
            print(DaemonSettings.defaultConfigFile(), terminator: "")
            return
        }
        let settings: DaemonSettings
        do {
            settings = try self.settings()
            _ = try DaemonSettings.groupID(settings.socketGroup, key: "socketGroup")
            _ = try DaemonSettings.groupID(settings.adminGroup, key: "adminGroup")
        } catch let error as DaemonSettings.ConfigError {
            throw ValidationError(error.description)
        }
        if checkConfig {
            print("configuration is valid")
            return
        }
        try await DaemonProcess(settings: settings, configPath: config, flags: flagValues).run()
    }
}

/// Finds swiftlet-pause / swiftlet-init: next to this executable first, then the install locations.
enum HelperBinaries {
    struct NotFound: Error, CustomStringConvertible {
        var name: String
        var searched: [String]
        var description: String { "cannot find \(name); looked in \(searched.joined(separator: ", "))" }
    }

    static func locate(_ name: String) throws -> String {
        var dirs: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append((exe as NSString).deletingLastPathComponent)
        }
        dirs += ["/usr/local/libexec/swiftlet", "/usr/libexec/swiftlet"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        throw NotFound(name: name, searched: dirs)
    }
}

/// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET.
enum SystemdNotifier {
    static func notify(_ state: String) {
        guard let path = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"], !path.isEmpty else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        _ = state.withCString { text in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, text, strlen(text), 0, $0, length) }
            }
        }
    }
}
