import Foundation
import XCTest

/// The operator-facing files and commands that need no running daemon: config validation,
/// the systemd units, install/uninstall into a staging root, completions.
final class DaemonOperationsCLITests: XCTestCase {
    static let binaries: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }()

    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "swiftlet-ops-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func swiftlet(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(Self.binaries + "/swiftlet", arguments)
    }

    func testCheckConfigNamesAMisspeltKeyAndABadValue() throws {
        let config = scratch + "/config.yaml"
        try "manifestDir: /tmp/m\nbackofMax: 60\n".write(toFile: config, atomically: true, encoding: .utf8)
        var result = try swiftlet(["daemon", "--config", config, "--check-config"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("\(config): unknown setting \"backofMax\""), result.output)

        try "podSecurityLevel: strict\n".write(toFile: config, atomically: true, encoding: .utf8)
        result = try swiftlet(["daemon", "--config", config, "--check-config"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("\(config): podSecurityLevel: Unsupported value: \"strict\""), result.output)

        try "backoffMax: 60\nlogFormat: json\n".write(toFile: config, atomically: true, encoding: .utf8)
        result = try swiftlet(["daemon", "--config", config, "--check-config"])
        XCTAssertEqual(result.status, 0, result.output)
        // A flag is parsed like the key it overrides and wins over the file.
        result = try swiftlet(["daemon", "--config", config, "--backoff-max=-1", "--check-config"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("--backoff-max: expected a non-negative number of seconds"), result.output)
    }

    func testPrintedDefaultConfigIsValidAndDocumented() throws {
        let printed = try swiftlet(["daemon", "--print-config"])
        XCTAssertEqual(printed.status, 0)
        let config = scratch + "/config.yaml"
        try printed.output.write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertEqual(try swiftlet(["daemon", "--config", config, "--check-config"]).status, 0)
        // Every key is in Docs/configuration.md.
        let docs = try String(contentsOfFile: Self.repository + "/Docs/configuration.md", encoding: .utf8)
        for line in printed.output.split(separator: "\n") where line.hasPrefix("#") && line.contains(": ") && !line.hasPrefix("# ") {
            let key = line.dropFirst().split(separator: ":")[0]
            XCTAssertTrue(docs.contains("`\(key)`"), "Docs/configuration.md documents \(key)")
        }
    }

    func testSystemdUnitsVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: analyze), "needs systemd-analyze")
        // The units name /usr/local/bin/swiftlet; verify checks that ExecStart exists, so point it at this build.
        for unit in ["swiftlet.service", "swiftlet.socket"] {
            let text = try String(contentsOfFile: Self.repository + "/systemd/" + unit, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/swiftlet", with: Self.binaries + "/swiftlet")
            try text.write(toFile: scratch + "/" + unit, atomically: true, encoding: .utf8)
        }
        let result = try run(analyze, ["verify", scratch + "/swiftlet.socket", scratch + "/swiftlet.service"])
        XCTAssertEqual(result.status, 0, result.output)
        let relevant = result.output.split(separator: "\n").filter { $0.contains("swiftlet") }
        XCTAssertTrue(relevant.isEmpty, "systemd-analyze verify complained:\n\(result.output)")
    }

    func testInstallIntoDestdirLaysOutExactlyTheDocumentedFilesAndUninstallRemovesThem() throws {
        let destdir = scratch + "/root"
        try FileManager.default.createDirectory(atPath: destdir + "/etc/swiftlet/manifests", withIntermediateDirectories: true)
        // Something of the user's that must survive the uninstall.
        try "kind: Pod\n".write(toFile: destdir + "/etc/swiftlet/manifests/mine.yaml", atomically: true, encoding: .utf8)
        let script = Self.repository + "/scripts/install"
        var result = try run("/bin/bash", [script, "--bin-dir", Self.binaries, "--no-enable"], environment: ["DESTDIR": destdir])
        XCTAssertEqual(result.status, 0, result.output)
        let expected = [
            "etc/swiftlet/config.yaml",
            "etc/swiftlet/manifests/mine.yaml",
            "usr/local/bin/swiftlet",
            "usr/local/lib/systemd/system/swiftlet.service",
            "usr/local/lib/systemd/system/swiftlet.socket",
            "usr/local/libexec/swiftlet/swiftlet-init",
            "usr/local/libexec/swiftlet/swiftlet-pause",
            "usr/local/share/bash-completion/completions/swiftlet",
            "usr/local/share/doc/swiftlet/configuration.md",
            "usr/local/share/doc/swiftlet/operations.md",
            "usr/local/share/fish/vendor_completions.d/swiftlet.fish",
            "usr/local/share/zsh/site-functions/_swiftlet",
        ]
        XCTAssertEqual(files(under: destdir), expected)
        // The header of the script documents the same list.
        let header = try String(contentsOfFile: script, encoding: .utf8)
        for path in expected where path.hasPrefix("usr/local/") {
            XCTAssertTrue(header.contains((path as NSString).lastPathComponent), "scripts/install's header lists \(path)")
        }
        let bash = try String(contentsOfFile: destdir + "/usr/local/share/bash-completion/completions/swiftlet", encoding: .utf8)
        XCTAssertTrue(bash.contains("daemon"), "bash completion covers the subcommands")

        result = try run("/bin/bash", [script, "--uninstall"], environment: ["DESTDIR": destdir])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(files(under: destdir), ["etc/swiftlet/manifests/mine.yaml"])
    }

    func files(under root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue { found.append(path) }
        }
        return found.sorted()
    }
}
