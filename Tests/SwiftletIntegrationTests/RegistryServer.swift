import Foundation

/// Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 and a free port, with its config
/// and storage under `root`; optionally behind htpasswd Basic auth. Images are pushed to it with skopeo.
final class RegistryServer {
    let root: String
    let port: UInt16
    let credentials: (user: String, password: String)?
    private let process: Process

    var host: String { "127.0.0.1:\(port)" }

    init(root: String, credentials: (user: String, password: String)? = nil) throws {
        self.root = root
        self.credentials = credentials
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        port = try Self.freePort()
        var config = """
            version: 0.1
            log: {level: warn}
            storage:
              filesystem: {rootdirectory: \(root)/data}
            http: {addr: "127.0.0.1:\(port)"}

            """
        if let credentials {
            try DaemonHarness.runTool("/bin/sh", [
                "-c", "htpasswd -Bbn \"$0\" \"$1\" > \"$2\"", credentials.user, credentials.password, root + "/htpasswd",
            ])
            config += "auth:\n  htpasswd: {realm: swiftlet-test, path: \(root)/htpasswd}\n"
        }
        try config.write(toFile: root + "/config.yml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", root + "/config.yml"]
        FileManager.default.createFile(atPath: root + "/registry.log", contents: nil)
        let log = FileHandle(forWritingAtPath: root + "/registry.log")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw HarnessError("docker-registry did not start: \((try? String(contentsOfFile: root + "/registry.log", encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// `skopeo copy oci:LAYOUT:TAG docker://HOST/REPOSITORY` (`--all` keeps a multi-platform index whole).
    func push(layout: String, tag: String, to repository: String, all: Bool = false) throws {
        var arguments = ["copy", "--quiet", "--dest-tls-verify=false"]
        if let credentials { arguments += ["--dest-creds", "\(credentials.user):\(credentials.password)"] }
        if all { arguments.append("--all") }
        arguments += ["oci:\(layout):\(tag)", "docker://\(host)/\(repository)"]
        try DaemonHarness.runTool("/usr/bin/skopeo", arguments)
    }

    /// Where the registry keeps a blob's bytes (to tamper with them).
    func blobFile(_ digest: String) -> String {
        let hex = digest.replacingOccurrences(of: "sha256:", with: "")
        return "\(root)/data/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bind(fd, sockaddrPointer, length) == 0 && getsockname(fd, sockaddrPointer, &length) == 0
            }
        }
        guard bound else { throw HarnessError("bind: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
