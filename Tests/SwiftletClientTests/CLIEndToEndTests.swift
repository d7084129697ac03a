import Foundation
import SwiftletKube
import SwiftletServer
import XCTest

/// Runs the built `swiftlet` executable against a server over a fake backend, checking what a user
/// sees: stdout, stderr and exit codes. Skipped when the executable has not been built.
final class CLIEndToEndTests: XCTestCase {
    private var directory = ""
    private var socketPath = ""
    private var backend = FakePodBackend()
    private var server: APIServer?
    private var executable = ""

    override func setUp() async throws {
        // The test runner (`…/debug/swiftletPackageTests.xctest`) sits next to the built products.
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let buildDirectory = URL(fileURLWithPath: runner).deletingLastPathComponent()
        executable = buildDirectory.appendingPathComponent("swiftlet").path
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: executable), "swiftlet is not built")
        directory = NSTemporaryDirectory() + "swiftlet-cli-\(UUID().uuidString.prefix(8))"
        socketPath = directory + "/api.sock"
        backend = FakePodBackend()
        let server = APIServer(socketPath: socketPath, backend: backend, version: "v0.1.0")
        try await server.start()
        self.server = server
    }

    override func tearDown() async throws {
        try await server?.shutdown()
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
    }

    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func swiftlet(_ arguments: String..., stdin: String? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ["SWIFTLET_SOCKET": socketPath]
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes off the cooperative pool: a full pipe would otherwise block the child.
        let (stdout, stderr) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let o = out.fileHandleForReading.readDataToEndOfFile()
                let e = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self)))
            }
        }
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    func testRunGetDescribeDelete() async throws {
        var r = try await swiftlet("run", "web", "--image=busybox", "--env", "A=1", "--", "sleep", "3600")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "pod/web created\n")
        let stored = await backend.getPod(namespace: "default", name: "web")
        XCTAssertEqual(stored?.spec.containers.first?.args, ["sleep", "3600"])
        XCTAssertNil(stored?.spec.containers.first?.command)
        XCTAssertEqual(stored?.metadata.labels, ["run": "web"])

        r = try await swiftlet("get", "pods")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("NAME   READY   STATUS    RESTARTS   AGE\nweb    0/1     Pending   0"), r.stdout)

        r = try await swiftlet("get", "pod", "web", "-o", "json")
        XCTAssertEqual(try JSONDecoder().decode(Pod.self, from: Data(r.stdout.utf8)).name, "web")
        r = try await swiftlet("get", "pod", "web", "-o", "yaml")
        XCTAssertTrue(r.stdout.contains("apiVersion: v1\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  name: web\n"), r.stdout)
        r = try await swiftlet("get", "pods", "-o", "name")
        XCTAssertEqual(r.stdout, "pod/web\n")

        r = try await swiftlet("describe", "pod", "web")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("Name:         web\n"), r.stdout)
        let envLine = r.stdout.split(separator: "\n").first { $0.hasPrefix("      A:") }
        XCTAssertEqual(envLine?.split(separator: " ").last, "1", r.stdout)

        r = try await swiftlet("get", "pods", "-l", "run=other")
        XCTAssertEqual(r.stderr, "No resources found in default namespace.\n")

        r = try await swiftlet("delete", "pod", "web", "--grace-period", "0")
        XCTAssertEqual(r.stdout, "pod \"web\" deleted\n")
        r = try await swiftlet("get", "pod", "web")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Error from server (NotFound): pods \"web\" not found\n")
    }

    func testCreateAndApplyFromStdin() async throws {
        let manifest = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: app
            spec:
              containers:
              - name: main
                image: busybox
                command: ["sleep", "60"]
            """
        var r = try await swiftlet("create", "-f", "-", stdin: manifest)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "pod/app created\n")
        r = try await swiftlet("create", "-f", "-", stdin: manifest)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Error from server (AlreadyExists): pods \"app\" already exists\n")

        r = try await swiftlet("apply", "-f", "-", stdin: manifest)
        XCTAssertEqual(r.stdout, "pod/app unchanged\n", r.stderr)
        r = try await swiftlet("apply", "-f", "-", stdin: manifest.replacingOccurrences(of: "\"60\"", with: "\"61\""))
        XCTAssertEqual(r.stdout, "pod/app configured\n", r.stderr)
        r = try await swiftlet("apply", "-f", "-", stdin: manifest.replacingOccurrences(of: "name: app", with: "name: app2"))
        XCTAssertEqual(r.stdout, "pod/app2 created\n", r.stderr)
    }

    func testMissingDaemonIsReported() async throws {
        let r = try await swiftlet("get", "pods", "--socket", directory + "/nope.sock")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr,
            "error: cannot connect to swiftlet at \(directory)/nope.sock: No such file or directory (is the daemon running?)\n")
    }
}
