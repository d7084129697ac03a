import Foundation

/// Where the bench finds its programs and puts its daemon's directories.
struct BenchPaths: Sendable {
    var swiftlet: String
    var repo: String
    var root: String
    var cgroupParent: String

    var stateDir: String { root + "/state" }
    var runDir: String { root + "/run" }
    var logDir: String { root + "/log" }
    var manifestDir: String { root + "/manifests" }
    var rootfs: String { root + "/busybox-rootfs" }
    var socket: String { root + "/swiftlet.sock" }
    var daemonLog: String { root + "/daemon.log" }

    /// `swiftlet` next to this executable; the repo root above `.build/<triple>/<config>/`.
    static func locate(repo explicitRepo: String?) throws -> BenchPaths {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binDir = (exe as NSString).deletingLastPathComponent
        let swiftlet = binDir + "/swiftlet"
        guard FileManager.default.isExecutableFile(atPath: swiftlet) else {
            throw BenchError.notFound(what: "swiftlet", searched: [binDir])
        }
        var candidates: [String] = []
        if let explicitRepo { candidates.append(explicitRepo) }
        var dir = binDir
        while dir != "/" && !dir.isEmpty {
            dir = (dir as NSString).deletingLastPathComponent
            candidates.append(dir)
        }
        guard let repo = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/scripts/make-busybox-rootfs") })
        else { throw BenchError.notFound(what: "scripts/make-busybox-rootfs (pass --repo DIR)", searched: candidates) }

        var template = Array("/tmp/swiftlet-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError.io(path: "/tmp/swiftlet-bench-XXXXXX", reason: String(cString: strerror(errno)))
        }
        let root = String(cString: made)
        let parent = "swiftlet-bench-" + (root as NSString).lastPathComponent.replacingOccurrences(of: "swiftlet-bench-", with: "")
        return BenchPaths(swiftlet: swiftlet, repo: repo, root: root, cgroupParent: parent)
    }
}
