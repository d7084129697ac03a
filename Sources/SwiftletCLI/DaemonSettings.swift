import Foundation
import SwiftletImages
import SwiftletKube
import Yams

/// The daemon's settings: defaults, then the config file, then flags.
///
/// Every setting is declared once in `DaemonSettings.schema` (config key, flag, default, help and
/// its parser); the config file, the flags and `--print-config` all go through that table.
struct DaemonSettings: Sendable {
    var manifestDir: String? = "/etc/swiftlet/manifests"
    var stateDir = "/var/lib/swiftlet"
    var runDir = "/run/swiftlet"
    var logDir = "/var/log/pods"
    var socket = "/run/swiftlet/swiftlet.sock"
    var nodeName = ProcessInfo.processInfo.hostName.lowercased()
    var nodeLabels: [String: String] = [:]
    var cgroupParent = "swiftlet"
    var backoffInitial: Double = 10
    var backoffMax: Double = 300
    var housekeepingInterval: Double = 2
    var syncFrequency: Double = 60
    var manifestRescanInterval: Double = 20
    var jobBackoffInitial: Double = 10
    var jobBackoffMax: Double = 600
    var scheduleClockSpeed: Double = 1
    var podPidsLimit: Int64?
    var defaultSeccomp = "RuntimeDefault"
    var podSecurityLevel = "baseline"
    var socketGroup: String?
    var adminGroup: String?
    var allowInsecureManifests = false
    var seccompProfileRoot: String?
    var systemReserved: [String: Quantity] = [:]
    var logFormat = "text"
    var logLevel = "info"
    var drainOnExit = false
    var watchdogInterval: Double?
    var cniConfDir = "/etc/cni/net.d"
    var cniBinDirs = ["/opt/cni/bin", "/usr/lib/cni"]
    /// Empty: no host resolver file (the kubelet's `--resolv-conf ""`).
    var resolvConf = "/etc/resolv.conf"
    var clusterDNS: [String] = []
    var clusterDomain = ""
    var insecureRegistries: [String] = []
    var registryMirrors: [String] = []
    var registryConfig: String?
    var imageGCHighThresholdPercent = 85
    var imageGCLowThresholdPercent = 80
    var imageMinimumGCAge: Double = 120
    var containerLogMaxSize: Int64 = 10 << 20
    var containerLogMaxFiles = 5

    struct ConfigError: Error, CustomStringConvertible {
        var description: String
    }

    /// A value as the config file (typed YAML) or a flag (always text) gives it.
    enum Value {
        case text(String)
        case number(Double)
        case flag(Bool)
        case list([String])
        case map([String: String])
        case other(String)

        init(yaml: Any) {
            switch yaml {
            case let l as [Any] where l.allSatisfy({ $0 is String }): self = .list(l.compactMap { $0 as? String })
            // Label values such as `true` or `1` are text for a label, whatever YAML makes of them.
            case let m as [String: Any] where m.values.allSatisfy({ $0 is String || $0 is Bool || $0 is Int || $0 is Double }):
                self = .map(m.mapValues { v in (v as? Bool).map { $0 ? "true" : "false" } ?? "\(v)" })
            case let b as Bool: self = .flag(b)
            case let i as Int: self = .number(Double(i))
            case let d as Double: self = .number(d)
            case let s as String: self = .text(s)
            default: self = .other(String(describing: yaml))
            }
        }
    }

    /// One setting: its config key, the flag that overrides it, and how a value is applied.
    struct Setting: Sendable {
        var key: String
        var help: String
        /// The default as written in Docs/configuration.md and `--print-config`.
        var defaultText: String
        /// Settings that only make sense for one run (`drainOnExit`) are still valid in the file.
        var apply: @Sendable (inout DaemonSettings, Value, String) throws -> Void

        /// `manifestDir` → `--manifest-dir`.
        var flag: String {
            // An acronym is one word: `clusterDNS` → `--cluster-dns`.
            "--" + key.reduce(into: "") { out, c in
                if c.isUppercase && !(out.last?.isUppercase ?? true) { out += "-" }
                out.append(c)
            }.lowercased()
        }
    }

    static let schema: [Setting] = [
        Setting(key: "manifestDir", help: "static pod manifest directory; \"\" turns the static source off",
                defaultText: "/etc/swiftlet/manifests") { s, v, k in
            let dir = try path(v, k, allowEmpty: true)
            s.manifestDir = dir.isEmpty ? nil : dir
        },
        Setting(key: "stateDir", help: "persistent state: images, writable layers, API pods", defaultText: "/var/lib/swiftlet") {
            $0.stateDir = try path($1, $2)
        },
        Setting(key: "runDir", help: "live state of running pods", defaultText: "/run/swiftlet") { $0.runDir = try path($1, $2) },
        Setting(key: "logDir", help: "container log directory", defaultText: "/var/log/pods") { $0.logDir = try path($1, $2) },
        Setting(key: "socket", help: "API socket path", defaultText: "/run/swiftlet/swiftlet.sock") { $0.socket = try path($1, $2) },
        Setting(key: "nodeName", help: "node name (spec.nodeName, event source)", defaultText: "the host name, lower-cased") {
            $0.nodeName = try text($1, $2)
        },
        Setting(key: "nodeLabels", help: "labels added to the node's defaults (key=value,...; a mapping in the file)",
                defaultText: "{}") { $0.nodeLabels = try labels($1, $2) },
        Setting(key: "cgroupParent", help: "cgroup below each hierarchy root holding this daemon's pods", defaultText: "swiftlet") {
            $0.cgroupParent = try text($1, $2)
        },
        Setting(key: "backoffInitial", help: "first crash-loop back-off, seconds", defaultText: "10") {
            $0.backoffInitial = try seconds($1, $2)
        },
        Setting(key: "backoffMax", help: "crash-loop back-off ceiling, seconds", defaultText: "300") {
            $0.backoffMax = try seconds($1, $2)
        },
        Setting(key: "housekeepingInterval", help: "seconds between housekeeping ticks (pods not steady are synced)",
                defaultText: "2") { $0.housekeepingInterval = try seconds($1, $2) },
        Setting(key: "syncFrequency", help: "seconds between syncs of a steady pod without an event (kubelet: 60)",
                defaultText: "60") { $0.syncFrequency = try seconds($1, $2) },
        Setting(key: "manifestRescanInterval", help: "seconds between full re-reads of the manifest directory",
                defaultText: "20") { $0.manifestRescanInterval = try seconds($1, $2) },
        Setting(key: "jobBackoffInitial", help: "first Job pod-failure back-off, seconds", defaultText: "10") {
            $0.jobBackoffInitial = try seconds($1, $2)
        },
        Setting(key: "jobBackoffMax", help: "Job pod-failure back-off ceiling, seconds", defaultText: "600") {
            $0.jobBackoffMax = try seconds($1, $2)
        },
        Setting(key: "scheduleClockSpeed", help: "TEST ONLY: CronJob schedule clock speed-up factor", defaultText: "1") {
            $0.scheduleClockSpeed = try seconds($1, $2)
        },
        Setting(key: "podPidsLimit", help: "pids.max of every pod cgroup; -1 = unlimited", defaultText: "-1") { s, v, k in
            let limit = try integer(v, k, minimum: -1)
            s.podPidsLimit = limit < 0 ? nil : limit
        },
        Setting(key: "systemReserved", help: "resources held back from pods, e.g. cpu=100m,memory=256Mi", defaultText: "none") {
            $0.systemReserved = try parseReserved(try text($1, $2), source: $2)
        },
        Setting(key: "defaultSeccomp", help: "seccomp for containers that name none: RuntimeDefault or Unconfined",
                defaultText: "RuntimeDefault") { $0.defaultSeccomp = try choice($1, $2, ["RuntimeDefault", "Unconfined"]) },
        Setting(key: "seccompProfileRoot", help: "directory of Localhost seccomp profiles", defaultText: "STATE_DIR/seccomp") {
            $0.seccompProfileRoot = try path($1, $2)
        },
        Setting(key: "podSecurityLevel", help: "Pod Security Standards level for API pods: privileged, baseline, restricted",
                defaultText: "baseline") { $0.podSecurityLevel = try choice($1, $2, ["baseline", "privileged", "restricted"]) },
        Setting(key: "allowInsecureManifests", help: "accept manifest files not root-owned or group/world-writable",
                defaultText: "false") { $0.allowInsecureManifests = try bool($1, $2) },
        Setting(key: "socketGroup", help: "group owning the API socket (members may connect and read)", defaultText: "root's group") {
            $0.socketGroup = try text($1, $2)
        },
        Setting(key: "adminGroup", help: "group whose members may also create and delete pods", defaultText: "none") {
            $0.adminGroup = try text($1, $2)
        },
        Setting(key: "logFormat", help: "daemon log format on stderr: text (journald levels) or json", defaultText: "text") {
            $0.logFormat = try choice($1, $2, ["json", "text"])
        },
        Setting(key: "logLevel", help: "daemon log level: trace, debug, info, notice, warning, error, critical", defaultText: "info") {
            $0.logLevel = try choice($1, $2, ["critical", "debug", "error", "info", "notice", "trace", "warning"])
        },
        Setting(key: "drainOnExit", help: "on SIGTERM/SIGINT stop every pod gracefully before exiting", defaultText: "false") {
            $0.drainOnExit = try bool($1, $2)
        },
        Setting(key: "watchdogInterval", help: "seconds between WATCHDOG=1 pings (default: half of systemd's WATCHDOG_USEC)",
                defaultText: "from WATCHDOG_USEC") { $0.watchdogInterval = try seconds($1, $2) },
        Setting(key: "cniConfDir", help: "CNI network configuration directory (none: loopback-only pods)",
                defaultText: "/etc/cni/net.d") { $0.cniConfDir = try path($1, $2) },
        // A list, or one comma-separated string (the kubelet's old flag); the flag may be repeated.
        Setting(key: "cniBinDir", help: "directories searched for CNI plugins, in order",
                defaultText: "[/opt/cni/bin, /usr/lib/cni]") { $0.cniBinDirs = try pathList($1, $2) },
        Setting(key: "resolvConf", help: "host resolver file for dnsPolicy Default (\"\" for none)",
                defaultText: "/etc/resolv.conf") { $0.resolvConf = try path($1, $2, allowEmpty: true) },
        Setting(key: "clusterDNS", help: "cluster DNS server IPs for ClusterFirst pods (none: ClusterFirst acts as Default)",
                defaultText: "[]") { $0.clusterDNS = try pathList($1, $2) },
        Setting(key: "clusterDomain", help: "cluster domain for DNS search paths and pod FQDNs (e.g. cluster.local)",
                defaultText: "\"\"") { $0.clusterDomain = try path($1, $2, allowEmpty: true) },
        Setting(key: "insecureRegistry", help: "registry host[:port] reached over plain HTTP (localhost, 127.0.0.0/8 always are)",
                defaultText: "[]") { $0.insecureRegistries = try pathList($1, $2) },
        Setting(key: "registryMirror", help: "HOST=URL: mirror tried before registry HOST (docker.io for Docker Hub)",
                defaultText: "[]") { s, v, k in
            let mirrors = try pathList(v, k)
            do { _ = try RegistryConfiguration.parseMirrors(mirrors) } catch { throw ConfigError(description: "\(k): \(error)") }
            s.registryMirrors = mirrors
        },
        Setting(key: "registryConfig", help: "docker-style config.json with registry credentials",
                defaultText: "STATE_DIR/config.json, then ~/.docker/config.json") { $0.registryConfig = try path($1, $2) },
        Setting(key: "imageGcHighThresholdPercent", help: "image filesystem usage (%) that starts image garbage collection",
                defaultText: "85") { $0.imageGCHighThresholdPercent = Int(try integer($1, $2, minimum: 0, maximum: 100)) },
        Setting(key: "imageGcLowThresholdPercent", help: "usage (%) image garbage collection brings it down to",
                defaultText: "80") { $0.imageGCLowThresholdPercent = Int(try integer($1, $2, minimum: 0, maximum: 100)) },
        Setting(key: "imageMinimumGcAge", help: "seconds an image is kept at least, used or not", defaultText: "120") {
            $0.imageMinimumGCAge = try seconds($1, $2)
        },
        // The kubelet's names and defaults; "0" turns rotation off (the kubelet's pre-1.14 behaviour).
        Setting(key: "containerLogMaxSize", help: "size at which a container's log file is rotated, e.g. 10Mi (0: never)",
                defaultText: "10Mi") { s, v, k in
            let raw: String
            switch v {
            case .number(let d) where d == d.rounded() && d >= 0 && d < 9e15: raw = String(Int64(d))
            case .text(let t): raw = t
            default: throw ConfigError(description: "\(k): expected a size such as 10Mi")
            }
            guard let q = try? Quantity(parsing: raw), q.value >= 0 else {
                throw ConfigError(description: "\(k): expected a size such as 10Mi, got \"\(raw)\"")
            }
            s.containerLogMaxSize = q.value
        },
        Setting(key: "containerLogMaxFiles", help: "log files kept per container run, the live one included (at least 2)",
                defaultText: "5") { $0.containerLogMaxFiles = Int(try integer($1, $2, minimum: 2, maximum: 1000)) },
    ]

    static func setting(named key: String) -> Setting? { schema.first { $0.key == key } }

    /// The current value of a setting, as text (to tell what a reload changed).
    func value(of key: String) -> String? {
        Mirror(reflecting: self).children.first { $0.label == key }.map { String(describing: $0.value) }
    }

    static func load(path: String?) throws -> DaemonSettings {
        var settings = DaemonSettings()
        guard let path else { return settings }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(description: "\(path): cannot be read")
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw ConfigError(description: "\(path): \(error)") }
        guard let map = loaded as? [String: Any] else {
            if loaded == nil { return settings }
            throw ConfigError(description: "\(path): expected a mapping of settings")
        }
        for key in map.keys.sorted() {
            guard let setting = setting(named: key), let value = map[key] else {
                let hint = schema.map(\.key).first { $0.lowercased() == key.lowercased() }.map { " (did you mean \"\($0)\"?)" } ?? ""
                throw ConfigError(description: "\(path): unknown setting \"\(key)\"\(hint)")
            }
            try setting.apply(&settings, Value(yaml: value), "\(path): \(key)")
        }
        return settings
    }

    /// Applies the flags given on the command line (config key → text), after the file.
    mutating func override(_ flags: [(key: String, value: String?)]) throws {
        for (key, value) in flags {
            guard let value else { continue }
            guard let setting = Self.setting(named: key) else {
                preconditionFailure("flag for unknown setting \(key)")  // a programming error, not input
            }
            try setting.apply(&self, .text(value), setting.flag)
        }
    }

    /// The default configuration file, every key commented with its default (`--print-config`).
    static func defaultConfigFile() -> String {
        var out = "# swiftlet daemon configuration (Docs/configuration.md). Every key is optional;\n"
        out += "# command-line flags win over this file. Uncomment to change a default.\n"
        for setting in schema {
            out += "\n# \(setting.help) (\(setting.flag))\n"
            out += "#\(setting.key): \(setting.defaultText)\n"
        }
        return out
    }

    // MARK: Value parsers (each error names the key or flag it is about)

    static func text(_ value: Value, _ key: String) throws -> String {
        guard case .text(let s) = value, !s.isEmpty else { throw ConfigError(description: "\(key): expected a non-empty string") }
        return s
    }

    static func path(_ value: Value, _ key: String, allowEmpty: Bool = false) throws -> String {
        if allowEmpty, case .text("") = value { return "" }
        let s = try text(value, key)
        guard !s.contains("\0") else { throw ConfigError(description: "\(key): path contains a NUL byte") }
        return s
    }

    static func pathList(_ value: Value, _ key: String) throws -> [String] {
        let items: [String]
        switch value {
        case .list(let list): items = list
        case .text(let s): items = s.split(separator: ",").map(String.init)
        default: items = []
        }
        guard !items.isEmpty, items.allSatisfy({ !$0.isEmpty && !$0.contains("\0") }) else {
            throw ConfigError(description: "\(key): expected a list of directories (or one comma-separated string)")
        }
        return items
    }

    /// `--node-labels`: `k=v,k2=v2` (the kubelet's flag) or a YAML mapping, each a valid label.
    static func labels(_ value: Value, _ key: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        switch value {
        case .map(let map): labels = map
        case .text(let text):
            for item in text.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw ConfigError(description: "\(key): expected key=value, got \"\(item)\"") }
                labels[String(parts[0])] = String(parts[1])
            }
        default: throw ConfigError(description: "\(key): expected a mapping of labels or key=value,...")
        }
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            let problems = NameValidation.isQualifiedName(k) + NameValidation.isValidLabelValue(v)
            if let problem = problems.first { throw ConfigError(description: "\(key): invalid label \"\(k)=\(v)\": \(problem)") }
        }
        return labels
    }

    static func seconds(_ value: Value, _ key: String) throws -> Double {
        switch value {
        case .number(let d) where d >= 0 && d.isFinite: return d
        case .text(let s): if let d = Double(s), d >= 0, d.isFinite { return d }
        default: break
        }
        throw ConfigError(description: "\(key): expected a non-negative number of seconds")
    }

    static func integer(_ value: Value, _ key: String, minimum: Int64, maximum: Int64) throws -> Int64 {
        let parsed = try integer(value, key, minimum: minimum)
        guard parsed <= maximum else { throw ConfigError(description: "\(key): expected an integer ≤ \(maximum)") }
        return parsed
    }

    static func integer(_ value: Value, _ key: String, minimum: Int64) throws -> Int64 {
        var parsed: Int64?
        switch value {
        case .number(let d) where d == d.rounded() && abs(d) < 9e15: parsed = Int64(d)
        case .text(let s): parsed = Int64(s)
        default: break
        }
        guard let parsed, parsed >= minimum else { throw ConfigError(description: "\(key): expected an integer ≥ \(minimum)") }
        return parsed
    }

    static func bool(_ value: Value, _ key: String) throws -> Bool {
        switch value {
        case .flag(let b): return b
        case .text("true"): return true
        case .text("false"): return false
        default: throw ConfigError(description: "\(key): expected true or false")
        }
    }

    static func choice(_ value: Value, _ key: String, _ allowed: [String]) throws -> String {
        let s = try text(value, key)
        guard allowed.contains(s) else {
            let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw ConfigError(description: "\(key): Unsupported value: \"\(s)\": supported values: \(list)")
        }
        return s
    }

    /// A group name or number, resolved now so a typo stops the daemon instead of opening the socket.
    static func groupID(_ name: String?, key: String) throws -> UInt32? {
        guard let name else { return nil }
        if let number = UInt32(name) { return number }
        guard let entry = getgrnam(name) else { throw ConfigError(description: "\(key): no such group \"\(name)\"") }
        return entry.pointee.gr_gid
    }

    /// `cpu=100m,memory=256Mi`, as the kubelet's --system-reserved.
    static func parseReserved(_ text: String, source: String) throws -> [String: Quantity] {
        var result: [String: Quantity] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, ["cpu", "memory"].contains(parts[0]) else {
                throw ConfigError(description: "\(source): expected cpu=QUANTITY,memory=QUANTITY, got \"\(item)\"")
            }
            do { result[String(parts[0])] = try Quantity(parsing: String(parts[1])) } catch {
                throw ConfigError(description: "\(source): \(parts[0]): \(error)")
            }
        }
        return result
    }
}
