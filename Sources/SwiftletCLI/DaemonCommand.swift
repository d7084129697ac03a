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
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "Run the node agent.")

    @Option(help: "Configuration file (YAML); flags given on the command line win.") var config: String?
    @Option(help: "Static pod manifest directory.") var manifestDir: String?
    @Option(help: "Persistent state: images, writable layers, API pods.") var stateDir: String?
    @Option(help: "Live state (pause sockets, run records).") var runDir: String?
    @Option(help: "Container log directory.") var logDir: String?
    @Option(help: "API socket path.") var socket: String?
    @Option(help: "Node name (spec.nodeName, event source).") var nodeName: String?
    @Option(help: "cgroup below each hierarchy root for this daemon's pods.") var cgroupParent: String?
    @Option(help: "Initial crash-loop back-off in seconds (kubelet: 10).") var backoffInitial: Double?
    @Option(help: "Maximum crash-loop back-off in seconds (kubelet: 300).") var backoffMax: Double?
    @Option(help: "Seconds between full re-syncs of every pod.") var housekeepingInterval: Double?
    @Option(help: "Seconds between full re-reads of the manifest directory.") var manifestRescanInterval: Double?
    @Option(help: "pids.max of every pod cgroup (the kubelet's podPidsLimit); -1 = unlimited.") var podPidsLimit: Int64?
    @Option(help: "Resources held back from pods, e.g. cpu=100m,memory=256Mi.") var systemReserved: String?
    @Option(help: "Seccomp for containers that name none: RuntimeDefault (default) or Unconfined.") var defaultSeccomp: String?
    @Option(help: "Directory of Localhost seccomp profiles (default: STATE_DIR/seccomp).") var seccompProfileRoot: String?
    @Option(help: "Pod Security Standards level for API-created pods: privileged, baseline (default), restricted.")
    var podSecurityLevel: String?
    @Flag(help: "Accept manifest files that are not root-owned or are group/world-writable.") var allowInsecureManifests = false
    @Option(help: "Group owning the API socket (its members may connect and read).") var socketGroup: String?
    @Option(help: "Group whose members may also create and delete pods (root always may).") var adminGroup: String?
    @Option(help: "CNI network configuration directory (the lowest-sorting .conflist/.conf is used; none: loopback only).")
    var cniConfDir: String?
    @Option(help: "Directory of CNI plugins; repeat for several (default /opt/cni/bin and /usr/lib/cni).")
    var cniBinDir: [String] = []
    @Flag(help: "Validate the configuration and exit.") var checkConfig = false

    func run() async throws {
        var settings = try DaemonSettings.load(path: config)
        try settings.override(
            manifestDir: manifestDir, stateDir: stateDir, runDir: runDir, logDir: logDir, socket: socket,
            nodeName: nodeName, cgroupParent: cgroupParent, backoffInitial: backoffInitial, backoffMax: backoffMax,
            housekeepingInterval: housekeepingInterval, manifestRescanInterval: manifestRescanInterval,
            podPidsLimit: podPidsLimit, systemReserved: systemReserved, defaultSeccomp: defaultSeccomp,
            seccompProfileRoot: seccompProfileRoot, podSecurityLevel: podSecurityLevel,
            allowInsecureManifests: allowInsecureManifests, socketGroup: socketGroup, adminGroup: adminGroup,
            cniConfDir: cniConfDir, cniBinDirs: cniBinDir)
        let socketGroupID = try DaemonSettings.groupID(settings.socketGroup, key: "socketGroup")
        let adminGroupID = try DaemonSettings.groupID(settings.adminGroup, key: "adminGroup")
        if checkConfig {
            print("configuration is valid")
            return
        }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "swiftlet")
        logger.logLevel = .info

        let pause = try HelperBinaries.locate("swiftlet-pause")
        let initPath = try HelperBinaries.locate("swiftlet-init")
        var runtimeConfiguration = RuntimeConfiguration(
            stateDirectory: settings.stateDir, runDirectory: settings.runDir, logDirectory: settings.logDir,
            cgroupParent: settings.cgroupParent, pausePath: pause, initPath: initPath)
        runtimeConfiguration.cniConfDirectory = settings.cniConfDir
        runtimeConfiguration.cniBinDirectories = settings.cniBinDirs
        let cgroups = try detectCgroupDriver()
        let images = try LocalImageStore(stateDir: settings.stateDir)
        let runtime = try PodRuntime(configuration: runtimeConfiguration, cgroups: cgroups, images: images)
        var agentConfiguration = AgentConfiguration(
            runtime: runtimeConfiguration, manifestDirectory: settings.manifestDir, socketPath: settings.socket,
            nodeName: settings.nodeName)
        agentConfiguration.backoffInitial = settings.backoffInitial
        agentConfiguration.backoffMaximum = settings.backoffMax
        agentConfiguration.housekeepingInterval = settings.housekeepingInterval
        agentConfiguration.manifestRescanInterval = settings.manifestRescanInterval
        agentConfiguration.podPidsLimit = settings.podPidsLimit
        agentConfiguration.version = SwiftletBuild.version
        agentConfiguration.defaultSeccomp = settings.defaultSeccomp == "Unconfined" ? .unconfined : .runtimeDefault
        agentConfiguration.seccompProfileRoot = settings.seccompProfileRoot ?? settings.stateDir + "/seccomp"
        agentConfiguration.podSecurityLevel = PodSecurityLevel(rawValue: settings.podSecurityLevel) ?? .baseline
        agentConfiguration.requireSecureManifests = !settings.allowInsecureManifests
        agentConfiguration.reservedCPUMilli = settings.systemReserved["cpu"]?.milliValue ?? 0
        agentConfiguration.reservedMemoryBytes = settings.systemReserved["memory"]?.value ?? 0

        let agent = try Agent(configuration: agentConfiguration, runtime: runtime, logger: logger)
        try await agent.start()
        let server = APIServer(
            socketPath: settings.socket, backend: agent, version: SwiftletBuild.version, socketGroup: socketGroupID,
            access: SocketAccessPolicy(adminGroup: adminGroupID))
        try await server.start()
        let podCount = await agent.pods().count
        logger.info("swiftlet \(SwiftletBuild.version) serving on \(settings.socket) with \(podCount) pods (cgroup driver \(cgroups.layout))")
        SystemdNotifier.notify("READY=1\nSTATUS=serving \(podCount) pods")

        // SIGTERM/SIGINT stop the agent only; pods keep running and are re-adopted on the next start.
        let (stop, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        for await sig in stop {
            logger.info("received signal \(sig), stopping the agent (pods keep running)")
            break
        }
        SystemdNotifier.notify("STOPPING=1")
        try? await server.shutdown()
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
