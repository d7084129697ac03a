import Foundation
import SwiftletKube
import Yams

/// The daemon's settings: defaults, then the config file, then flags.
struct DaemonSettings {
    var manifestDir: String? = "/etc/swiftlet/manifests"
    var stateDir = "/var/lib/swiftlet"
    var runDir = "/run/swiftlet"
    var logDir = "/var/log/pods"
    var socket = "/run/swiftlet/swiftlet.sock"
    var nodeName = ProcessInfo.processInfo.hostName.lowercased()
    var cgroupParent = "swiftlet"
    var backoffInitial: Double = 10
    var backoffMax: Double = 300
    var housekeepingInterval: Double = 2
    var manifestRescanInterval: Double = 20
    var podPidsLimit: Int64?
    var defaultSeccomp = "RuntimeDefault"
    var podSecurityLevel = "baseline"
    var socketGroup: String?
    var adminGroup: String?
    var allowInsecureManifests = false
    var seccompProfileRoot: String?
    var systemReserved: [String: Quantity] = [:]
    var cniConfDir = "/etc/cni/net.d"
    var cniBinDirs = ["/opt/cni/bin", "/usr/lib/cni"]

    struct ConfigError: Error, CustomStringConvertible {
        var description: String
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
        for (key, value) in map {
            func string() throws -> String {
                guard let s = value as? String, !s.isEmpty else { throw ConfigError(description: "\(path): \(key): expected a non-empty string") }
                return s
            }
            func number() throws -> Double {
                if let d = value as? Double, d >= 0 { return d }
                if let i = value as? Int, i >= 0 { return Double(i) }
                throw ConfigError(description: "\(path): \(key): expected a non-negative number")
            }
            switch key {
            case "manifestDir": settings.manifestDir = try string()
            case "stateDir": settings.stateDir = try string()
            case "runDir": settings.runDir = try string()
            case "logDir": settings.logDir = try string()
            case "socket": settings.socket = try string()
            case "nodeName": settings.nodeName = try string()
            case "cgroupParent": settings.cgroupParent = try string()
            case "backoffInitial": settings.backoffInitial = try number()
            case "backoffMax": settings.backoffMax = try number()
            case "housekeepingInterval": settings.housekeepingInterval = try number()
            case "manifestRescanInterval": settings.manifestRescanInterval = try number()
            case "podPidsLimit": settings.podPidsLimit = Int64(try number())
            case "defaultSeccomp": settings.defaultSeccomp = try seccompMode(try string(), source: "\(path): \(key)")
            case "seccompProfileRoot": settings.seccompProfileRoot = try string()
            case "podSecurityLevel": settings.podSecurityLevel = try securityLevel(try string(), source: "\(path): \(key)")
            case "socketGroup": settings.socketGroup = try string()
            case "adminGroup": settings.adminGroup = try string()
            case "allowInsecureManifests":
                guard let flag = value as? Bool else { throw ConfigError(description: "\(path): \(key): expected true or false") }
                settings.allowInsecureManifests = flag
            case "systemReserved": settings.systemReserved = try parseReserved(try string(), source: "\(path): \(key)")
            case "cniConfDir": settings.cniConfDir = try string()
            case "cniBinDir":
                // A list of directories, or one string with comma-separated directories (the kubelet's old flag).
                if let list = value as? [String], !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) {
                    settings.cniBinDirs = list
                } else {
                    settings.cniBinDirs = try string().split(separator: ",").map(String.init)
                }
            default: throw ConfigError(description: "\(path): unknown setting \"\(key)\"")
            }
        }
        return settings
    }

    mutating func override(
        manifestDir: String?, stateDir: String?, runDir: String?, logDir: String?, socket: String?, nodeName: String?,
        cgroupParent: String?, backoffInitial: Double?, backoffMax: Double?, housekeepingInterval: Double?,
        manifestRescanInterval: Double?, podPidsLimit: Int64?, systemReserved: String?, defaultSeccomp: String?,
        seccompProfileRoot: String?, podSecurityLevel: String?, allowInsecureManifests: Bool, socketGroup: String?,
        adminGroup: String?, cniConfDir: String? = nil, cniBinDirs: [String] = []
    ) throws {
        if let cniConfDir { self.cniConfDir = cniConfDir }
        if !cniBinDirs.isEmpty { self.cniBinDirs = cniBinDirs.flatMap { $0.split(separator: ",").map(String.init) } }
        if let socketGroup { self.socketGroup = socketGroup }
        if let adminGroup { self.adminGroup = adminGroup }
        if let podSecurityLevel { self.podSecurityLevel = try Self.securityLevel(podSecurityLevel, source: "--pod-security-level") }
        if allowInsecureManifests { self.allowInsecureManifests = true }
        if let defaultSeccomp { self.defaultSeccomp = try Self.seccompMode(defaultSeccomp, source: "--default-seccomp") }
        if let seccompProfileRoot { self.seccompProfileRoot = seccompProfileRoot }
        if let podPidsLimit { self.podPidsLimit = podPidsLimit < 0 ? nil : podPidsLimit }
        if let systemReserved { self.systemReserved = try Self.parseReserved(systemReserved, source: "--system-reserved") }
        if let manifestDir { self.manifestDir = manifestDir.isEmpty ? nil : manifestDir }
        if let stateDir { self.stateDir = stateDir }
        if let runDir { self.runDir = runDir }
        if let logDir { self.logDir = logDir }
        if let socket { self.socket = socket }
        if let nodeName { self.nodeName = nodeName }
        if let cgroupParent { self.cgroupParent = cgroupParent }
        if let backoffInitial { self.backoffInitial = backoffInitial }
        if let backoffMax { self.backoffMax = backoffMax }
        if let housekeepingInterval { self.housekeepingInterval = housekeepingInterval }
        if let manifestRescanInterval { self.manifestRescanInterval = manifestRescanInterval }
    }

    /// A group name or number, resolved now so a typo stops the daemon instead of opening the socket.
    static func groupID(_ name: String?, key: String) throws -> UInt32? {
        guard let name else { return nil }
        if let number = UInt32(name) { return number }
        guard let entry = getgrnam(name) else { throw ConfigError(description: "\(key): no such group \"\(name)\"") }
        return entry.pointee.gr_gid
    }

    static func securityLevel(_ text: String, source: String) throws -> String {
        guard ["privileged", "baseline", "restricted"].contains(text) else {
            throw ConfigError(
                description: "\(source): Unsupported value: \"\(text)\": supported values: \"baseline\", \"privileged\", \"restricted\"")
        }
        return text
    }

    static func seccompMode(_ text: String, source: String) throws -> String {
        guard ["RuntimeDefault", "Unconfined"].contains(text) else {
            throw ConfigError(description: "\(source): Unsupported value: \"\(text)\": supported values: \"RuntimeDefault\", \"Unconfined\"")
        }
        return text
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
