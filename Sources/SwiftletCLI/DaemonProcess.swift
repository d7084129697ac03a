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
import Synchronization

/// The daemon's process shell around the agent: logging, the API socket (own or systemd's),
/// sd_notify (READY, STATUS, WATCHDOG, RELOADING, STOPPING), signals, drain.
struct DaemonProcess {
    let settings: DaemonSettings
    let configPath: String?
    let flags: [(key: String, value: String?)]

    func run() async throws {
        // Before the agent's threads start allocating: NIO's event loops, the cooperative pool and
        // the dispatch threads of `offload` would each get an arena of their own (see Heap).
        // MALLOC_ARENA_MAX in the environment, read by glibc itself, wins.
        if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil { Heap.limitArenas(2) }
        let level = LogLevelSetting(Logger.Level(rawValue: settings.logLevel) ?? .info)
        let format = DaemonLogHandler.format(named: settings.logFormat)
        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, format: format, level: level) }
        let logger = Logger(label: "swiftlet")

        let pause = try HelperBinaries.locate("swiftlet-pause")
        let initPath = try HelperBinaries.locate("swiftlet-init")
        var runtimeConfiguration = RuntimeConfiguration(
            stateDirectory: settings.stateDir, runDirectory: settings.runDir, logDirectory: settings.logDir,
            cgroupParent: settings.cgroupParent, pausePath: pause, initPath: initPath)
        runtimeConfiguration.cniConfDirectory = settings.cniConfDir
        runtimeConfiguration.cniBinDirectories = settings.cniBinDirs
        runtimeConfiguration.resolvConf = settings.resolvConf.isEmpty ? nil : settings.resolvConf
        runtimeConfiguration.clusterDNS = settings.clusterDNS
        runtimeConfiguration.clusterDomain = settings.clusterDomain
        runtimeConfiguration.containerLogMaxSize = settings.containerLogMaxSize
        runtimeConfiguration.containerLogMaxFiles = settings.containerLogMaxFiles
        runtimeConfiguration.registry = RegistryConfiguration(
            insecureRegistries: settings.insecureRegistries, mirrors: try RegistryConfiguration.parseMirrors(settings.registryMirrors),
            credentialFiles: settings.registryConfig.map { [$0] } ?? RegistryConfiguration.defaultCredentialFiles(stateDir: settings.stateDir))
        let cgroups = try detectCgroupDriver()
        let images = try LocalImageStore(stateDir: settings.stateDir)
        // What a kill -9 cut short (half-unpacked layers, unfinished blobs) goes now; partial
        // downloads stay for the pulls that resume them.
        if let removed = try? images.cleanStaging(), !removed.isEmpty {
            logger.info("removed \(removed.count) leftovers of interrupted image pulls or imports from \(images.directory)/tmp")
        }
        let runtime = try PodRuntime(configuration: runtimeConfiguration, cgroups: cgroups, images: images)
        for case .migrated(let from) in runtime.formatOutcomes {
            logger.notice("on-disk state migrated from format \(from) to \(OnDiskFormat.current)")
        }
        let agent = try Agent(configuration: agentConfiguration(runtime: runtimeConfiguration), runtime: runtime, logger: logger)
        try await agent.start()

        let activation = SystemdActivation.fromEnvironment()
        let server = APIServer(
            socketPath: settings.socket, backend: agent, version: SwiftletBuild.version,
            socketGroup: try DaemonSettings.groupID(settings.socketGroup, key: "socketGroup"),
            access: SocketAccessPolicy(adminGroup: try DaemonSettings.groupID(settings.adminGroup, key: "adminGroup")),
            inheritedDescriptor: activation?.listenDescriptor)
        try await server.start()
        let how = activation == nil ? "serving on \(settings.socket)" : "serving on the socket passed by systemd"
        let status = await agent.statusLine()
        logger.info("swiftlet \(SwiftletBuild.version) \(how), \(status) (cgroup driver \(cgroups.layout))")
        // Only now: every pod is re-adopted and the socket answers.
        SystemdNotifier.notify("READY=1\nSTATUS=\(status)")

        let watchdog = startWatchdog(agent: agent, logger: logger)
        defer { watchdog?.cancel() }

        let signals = SignalStream([SIGTERM, SIGINT, SIGHUP])
        defer { signals.cancel() }
        await agent.setDrainedHandler { signals.inject(SignalStream.drained) }
        var drained = false
        for await sig in signals.stream {
            if sig == SIGHUP {
                await reload(agent: agent, level: level, logger: logger)
                continue
            }
            drained = sig == SignalStream.drained
            break
        }
        if drained {
            logger.info("every pod stopped (swiftlet drain); exiting")
            SystemdNotifier.notify("STOPPING=1")
        } else if settings.drainOnExit {
            logger.info("stopping every pod before exiting (--drain-on-exit)")
            SystemdNotifier.notify("STOPPING=1\nSTATUS=draining: \(await agent.statusLine())")
            await agent.drain()
        } else {
            logger.info("stopping the agent (pods keep running)")
            SystemdNotifier.notify("STOPPING=1")
        }
        try? await server.shutdown()
        await agent.saveEvents()
    }

    func agentConfiguration(runtime: RuntimeConfiguration) -> AgentConfiguration {
        var configuration = AgentConfiguration(
            runtime: runtime, manifestDirectory: settings.manifestDir, socketPath: settings.socket, nodeName: settings.nodeName)
        configuration.nodeLabels = settings.nodeLabels
        configuration.backoffInitial = settings.backoffInitial
        configuration.imageGC = ImageGCPolicy(
            highThresholdPercent: settings.imageGCHighThresholdPercent,
            lowThresholdPercent: min(settings.imageGCLowThresholdPercent, settings.imageGCHighThresholdPercent),
            minimumAge: settings.imageMinimumGCAge)
        configuration.backoffMaximum = settings.backoffMax
        configuration.housekeepingInterval = settings.housekeepingInterval
        configuration.syncFrequency = settings.syncFrequency
        configuration.manifestRescanInterval = settings.manifestRescanInterval
        configuration.jobBackoff = JobBackoff(base: settings.jobBackoffInitial, maximum: settings.jobBackoffMax)
        configuration.scheduleClockSpeed = settings.scheduleClockSpeed
        configuration.podPidsLimit = settings.podPidsLimit
        configuration.version = SwiftletBuild.version
        configuration.defaultSeccomp = settings.defaultSeccomp == "Unconfined" ? .unconfined : .runtimeDefault
        configuration.seccompProfileRoot = settings.seccompProfileRoot ?? settings.stateDir + "/seccomp"
        configuration.podSecurityLevel = PodSecurityLevel(rawValue: settings.podSecurityLevel) ?? .baseline
        configuration.requireSecureManifests = !settings.allowInsecureManifests
        configuration.reservedCPUMilli = settings.systemReserved["cpu"]?.milliValue ?? 0
        configuration.reservedMemoryBytes = settings.systemReserved["memory"]?.value ?? 0
        return configuration
    }

    /// WATCHDOG=1 while the reconcile loop turns: a wedged agent stops pinging and systemd
    /// restarts it (pods keep running). The loop must have completed a pass within the
    /// watchdog period; the ping comes from a task that asks the agent actor, so a blocked actor
    /// also stops the pings.
    func startWatchdog(agent: Agent, logger: Logger) -> Task<Void, Never>? {
        let systemdPeriod = SystemdActivation.watchdogPeriod()
        guard let interval = settings.watchdogInterval ?? systemdPeriod.map({ $0 / 2 }), interval > 0 else { return nil }
        let limit = Duration.milliseconds(Int64(1000 * max(systemdPeriod ?? interval * 2, settings.housekeepingInterval * 3)))
        logger.info("systemd watchdog: pinging every \(interval) s")
        return Task {
            while !Task.isCancelled {
                if await agent.isHealthy(within: limit) {
                    SystemdNotifier.notify("WATCHDOG=1\nSTATUS=\(await agent.statusLine())")
                } else {
                    logger.warning("reconcile loop has not completed a pass within \(limit); not pinging the watchdog")
                }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// SIGHUP: re-reads the config file; what is safe to change live (the log level, the node
    /// labels) changes now,
    /// the rest is reported as needing a restart. The manifest directory is rescanned.
    func reload(agent: Agent, level: LogLevelSetting, logger: Logger) async {
        SystemdNotifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdActivation.monotonicMicroseconds())")
        defer { SystemdNotifier.notify("READY=1") }
        do {
            var fresh = try DaemonSettings.load(path: configPath)
            try fresh.override(flags)
            if let newLevel = Logger.Level(rawValue: fresh.logLevel) { level.set(newLevel) }
            await agent.setNodeLabels(fresh.nodeLabels)
            let live: Set<String> = ["logLevel", "nodeLabels"]
            let changed = DaemonSettings.schema.map(\.key).filter { key in
                !live.contains(key) && fresh.value(of: key) != settings.value(of: key)
            }
            if !changed.isEmpty {
                logger.warning("config reloaded; changes to \(changed.joined(separator: ", ")) take effect after a restart")
            } else {
                logger.info("config reloaded")
            }
        } catch {
            logger.error("config reload failed, keeping the running settings: \(error)")
        }
        await agent.rescan()
    }
}

/// The log level all daemon log handlers read, so SIGHUP can change it.
final class LogLevelSetting: Sendable {
    private let level: Mutex<Logger.Level>
    init(_ level: Logger.Level) { self.level = Mutex(level) }
    var current: Logger.Level { level.withLock { $0 } }
    func set(_ new: Logger.Level) { level.withLock { $0 = new } }
}

/// Signals as an async stream (dispatch sources; the signals are ignored for the process).
final class SignalStream: Sendable {
    let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: Mutex<[any DispatchSourceSignal]>
    /// Not a signal: the agent finished a drain requested through the API.
    static let drained: Int32 = 0

    func inject(_ value: Int32) { continuation.yield(value) }

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        self.continuation = continuation
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    func cancel() { sources.withLock { $0.forEach { $0.cancel() } } }
}
