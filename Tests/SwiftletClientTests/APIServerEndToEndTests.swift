import Foundation
@testable import SwiftletClient
import SwiftletKube
import SwiftletServer
import XCTest

/// Starts the real server on a temporary socket over a fake backend and drives it with the real client.
final class APIServerEndToEndTests: XCTestCase {
    private var directory = ""
    private var socketPath = ""
    private var backend = FakePodBackend()
    private var server: APIServer?

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "swiftlet-api-\(UUID().uuidString.prefix(8))"
        socketPath = directory + "/run/api.sock"
        backend = FakePodBackend()
        let server = APIServer(socketPath: socketPath, backend: backend, version: "v0.1.0")
        try await server.start()
        self.server = server
    }

    override func tearDown() async throws {
        try await server?.shutdown()
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath), "socket file left behind")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var api: SwiftletAPIClient { SwiftletAPIClient(socketPath: socketPath) }



    private func statusError(_ body: @escaping @Sendable () throws -> Void) async -> Status? {
        do {
            try await blocking(body)
            return nil
        } catch let error as APIStatusError {
            return error.status
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    func testSocketIsCreatedGroupWritable() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: socketPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o660)
        let parent = try FileManager.default.attributesOfItem(atPath: directory + "/run")
        XCTAssertEqual((parent[.posixPermissions] as? NSNumber)?.intValue, 0o755)
    }

    func testRefusesToStealALiveSocket() async throws {
        let second = APIServer(socketPath: socketPath, backend: FakePodBackend(), version: "v0")
        do {
            try await second.start()
            XCTFail("a second server took over a live socket")
            try await second.shutdown()
        } catch {
            XCTAssertEqual(String(describing: error), "api socket \(socketPath): another process is already serving on it")
        }
    }

    /// Another process's abstract socket whose name is not UTF-8 must not hide the live one.
    func testRefusesToStealALiveSocketWhenAnAbstractNameIsNotUTF8() async throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let name: [UInt8] = [0, 0xFF, 0xFE] + Array("swiftlet-test-\(getpid())".utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in name.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        try await testRefusesToStealALiveSocket()
    }

    func testCurlLargeBodyWithExpectContinue() async throws {
        let curl = "/usr/bin/curl"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: curl), "curl is not installed")
        var pod = makeTestPod("big")
        pod.metadata.annotations = ["filler": String(repeating: "x", count: 64 * 1024)]
        let body = directory + "/big.json"
        try KubeJSON.encode(pod).write(to: URL(fileURLWithPath: body))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = [
            "-sS", "--fail", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "--unix-socket", socketPath,
            "-H", "Content-Type: application/json", "--data-binary", "@" + body,
            "http://localhost/api/v1/namespaces/default/pods",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = output.split(separator: " ")
        XCTAssertEqual(fields.first, "201", output)
        // Without a 100 Continue, curl stalls a full second before sending the body.
        XCTAssertLessThan(Double(fields.last ?? "9") ?? 9, 0.9, output)
    }

    func testCreateListGetDeleteAndErrors() async throws {
        let api = self.api
        let web = makeTestPod("web", labels: ["app": "web"])
        let created = try await blocking { try api.createPod(web) }
        XCTAssertEqual(created.name, "web")
        _ = try await blocking { try api.createPod(makeTestPod("db", labels: ["app": "db"])) }

        let all = try await blocking { try api.listPods(namespace: nil) }
        XCTAssertEqual(all.items.map(\.name), ["db", "web"])
        XCTAssertEqual(all.kind, "PodList")
        let selected = try await blocking { try api.listPods(namespace: "default", labelSelector: "app in (web)") }
        XCTAssertEqual(selected.items.map(\.name), ["web"])
        let byField = try await blocking { try api.listPods(namespace: nil, fieldSelector: "metadata.name!=web") }
        XCTAssertEqual(byField.items.map(\.name), ["db"])

        let got = try await blocking { try api.getPod(namespace: "default", name: "web") }
        XCTAssertEqual(got.metadata.uid, created.metadata.uid)

        let exists = await statusError { _ = try api.createPod(web) }
        XCTAssertEqual(exists?.code, 409)
        XCTAssertEqual(exists?.reason, "AlreadyExists")
        XCTAssertEqual(exists?.message, "pods \"web\" already exists")

        _ = try await blocking { try api.deletePod(namespace: "default", name: "web", gracePeriodSeconds: 0) }
        let missing = await statusError { _ = try api.getPod(namespace: "default", name: "web") }
        XCTAssertEqual(missing?.code, 404)
        XCTAssertEqual(
            APIStatusError(status: try XCTUnwrap(missing)).description, "Error from server (NotFound): pods \"web\" not found")

        let badField = await statusError { _ = try api.listPods(namespace: nil, fieldSelector: "spec.foo=bar") }
        XCTAssertEqual(badField?.code, 400)
        XCTAssertEqual(badField?.message, "field label not supported: spec.foo")
    }

    func testMalformedRequestsAreAnsweredWithoutHurtingTheServer() async throws {
        let http = UnixHTTPClient(socketPath: socketPath)
        let api = self.api
        let badJSON = try await blocking {
            try http.request("POST", "/api/v1/namespaces/default/pods", body: Array("{\"metadata\": ".utf8))
        }
        XCTAssertEqual(badJSON.status, 400)
        XCTAssertTrue(badJSON.bodyText.contains("\"reason\":\"BadRequest\""), badJSON.bodyText)

        let wrongNamespace = try await blocking {
            try http.request(
                "POST", "/api/v1/namespaces/default/pods",
                body: Array(#"{"metadata":{"name":"x","namespace":"other"},"spec":{"containers":[]}}"#.utf8))
        }
        XCTAssertEqual(wrongNamespace.status, 400)
        XCTAssertTrue(wrongNamespace.bodyText.contains("does not match the namespace"), wrongNamespace.bodyText)

        let huge = try await blocking {
            try http.request("POST", "/api/v1/namespaces/default/pods", body: [UInt8](repeating: 0x20, count: 3 * 1024 * 1024 + 1))
        }
        XCTAssertEqual(huge.status, 413)

        let notAllowed = try await blocking { try http.request("PATCH", "/api/v1/namespaces/default/pods") }
        XCTAssertEqual(notAllowed.status, 405)
        let unknown = try await blocking { try http.request("GET", "/api/v2/whatever") }
        XCTAssertEqual(unknown.status, 404)

        // Not HTTP at all: the connection gets a 400 and is closed; the server carries on.
        let path = socketPath
        let garbage = try await blocking { () -> String in
            let connection = try SocketConnection(path: path)
            defer { connection.close() }
            try connection.send(Array("\u{1}\u{2} NOT HTTP\r\n\r\n".utf8))
            return (try? connection.readLine()) ?? ""
        }
        XCTAssertTrue(garbage.hasPrefix("HTTP/1.1 400"), garbage)

        let health = try await blocking { try http.request("GET", "/healthz") }
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.bodyText, "ok")
        let version = try await blocking { try api.version() }
        XCTAssertEqual(version.gitVersion, "v0.1.0")
        let manifests = try await blocking { try api.manifests() }
        XCTAssertEqual(manifests.items.first?.state, "Loaded")
    }

    func testWatchStreamsFilteredEvents() async throws {
        let api = self.api
        let backend = self.backend
        _ = try await blocking { try api.createPod(makeTestPod("web", labels: ["app": "web"])) }
        _ = try await blocking { try api.createPod(makeTestPod("db", labels: ["app": "db"])) }
        let watch = Task {
            try await blocking { () -> [String] in
                var seen: [String] = []
                try api.watchPods(namespace: "default", labelSelector: "app=web") { event in
                    seen.append("\(event.type) \(event.object.name) \(event.object.status?.phase?.rawValue ?? "")")
                    return seen.count < 3
                }
                return seen
            }
        }
        try await waitUntil { await backend.watcherCount == 1 }
        let storedWeb = await backend.getPod(namespace: "default", name: "web")
        var running = try XCTUnwrap(storedWeb)
        running.status = PodStatus(phase: .running)
        await backend.update(running)
        let storedDB = await backend.getPod(namespace: "default", name: "db")
        var db = try XCTUnwrap(storedDB)
        db.status = PodStatus(phase: .running)
        await backend.update(db)  // filtered out by the label selector
        // Relabelling web so it no longer matches is reported as DELETED.
        running.metadata.labels = ["app": "other"]
        await backend.update(running)
        let seen = try await watch.value
        XCTAssertEqual(seen, ["ADDED web Pending", "MODIFIED web Running", "DELETED web Running"])
        try await waitUntil { await backend.watcherCount == 0 }
    }

    func testClientDisconnectingMidWatchReleasesTheWatch() async throws {
        let api = self.api
        let backend = self.backend
        _ = try await blocking { try api.createPod(makeTestPod("web")) }
        let path = socketPath
        // Read the first frame, then drop the connection without a word.
        let firstLine = try await blocking { () -> String in
            let connection = try SocketConnection(path: path)
            defer { connection.close() }
            try connection.send(Array("GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            var line = ""
            while !line.contains("ADDED") { line = try connection.readLine() }
            return line
        }
        XCTAssertTrue(firstLine.contains("\"name\":\"web\""), firstLine)
        try await waitUntil { await backend.watcherCount == 0 }
        // A half-read stream must not leave the server unable to answer.
        let list = try await blocking { try api.listPods(namespace: nil) }
        XCTAssertEqual(list.items.count, 1)
    }

    /// A response far larger than the socket buffers, to a client that asks for `Connection: close`
    /// and starts reading late, arrives whole: the server must not close while writes are queued.
    func testLargeListReachesASlowReaderWhole() async throws {
        let api = self.api
        let filler = String(repeating: "x", count: 60 * 1024)
        for i in 0..<40 {
            var pod = makeTestPod("big-\(i)")
            pod.metadata.annotations = ["filler": filler]
            let big = pod
            _ = try await blocking { try api.createPod(big) }
        }
        let socketPath = self.socketPath
        let (length, body) = try await blocking { () throws -> (Int, [UInt8]) in
            let connection = try SocketConnection(path: socketPath)
            defer { connection.close() }
            try connection.send(Array("GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            // Let the server finish writing into full socket buffers before anything is read.
            Thread.sleep(forTimeInterval: 0.5)
            var length = -1
            while true {
                let line = try connection.readLine()
                if line.isEmpty { break }
                if line.lowercased().hasPrefix("content-length:") { length = Int(line.dropFirst(15).trimmingSpaces()) ?? -1 }
            }
            return (length, try connection.read(exactly: length))
        }
        XCTAssertGreaterThan(length, 40 * 60 * 1024)
        XCTAssertEqual(body.count, length)
        XCTAssertEqual(try JSONDecoder().decode(PodList.self, from: Data(body)).items.count, 40)
    }

    func testLogsTailTimestampsAndFollow() async throws {
        let api = self.api
        _ = try await blocking { try api.createPod(makeTestPod("web")) }
        _ = try await blocking { try api.createPod(makeTestPod("two", containers: ["a", "b"])) }
        let logPath = directory + "/0.log"
        try Data("""
            2026-01-01T00:00:00.000000001Z stdout F first
            2026-01-01T00:00:01.000000001Z stderr P sec
            2026-01-01T00:00:01.500000001Z stderr F ond
            not a cri line
            2026-01-01T00:00:02.000000001Z stdout F third

            """.utf8).write(to: URL(fileURLWithPath: logPath))
        await backend.setLogPath(logPath)

        var options = SwiftletAPIClient.LogQuery()
        let all = try await readLogs(api, "web", options)
        XCTAssertEqual(all, "first\nsecond\nthird\n")
        options.tailLines = 1
        options.timestamps = true
        let tail = try await readLogs(api, "web", options)
        XCTAssertEqual(tail, "2026-01-01T00:00:02.000000001Z third\n")
        options = SwiftletAPIClient.LogQuery()
        options.limitBytes = 8
        let limited = try await readLogs(api, "web", options)
        XCTAssertEqual(limited, "first\nse")

        let ambiguous = await statusError { _ = try api.streamLogs(namespace: "default", pod: "two", options: .init()) { _ in } }
        XCTAssertEqual(ambiguous?.code, 400)
        XCTAssertEqual(ambiguous?.message, "a container name must be specified for pod two, choose one of: [a b]")

        // Follow: lines appended while streaming arrive; the stream ends once the container stops.
        options = SwiftletAPIClient.LogQuery()
        options.follow = true
        options.tailLines = 0
        let followed = Task { [options] in try await readLogs(api, "web", options) }
        try await Task.sleep(for: .milliseconds(400))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("2026-01-01T00:00:03Z stdout P fourth-\n".utf8))
        try await Task.sleep(for: .milliseconds(300))
        try handle.write(contentsOf: Data("2026-01-01T00:00:03Z stdout F part\n".utf8))
        try handle.close()
        try await Task.sleep(for: .milliseconds(300))
        await backend.setRunning(false)
        let followedText = try await followed.value
        XCTAssertEqual(followedText, "fourth-part\n")
    }

    func testLogsReadRotatedFilesInOrderAndFollowARotation() async throws {
        let api = self.api
        _ = try await blocking { try api.createPod(makeTestPod("web")) }
        let dir = directory + "/rotated"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let live = dir + "/0.log"
        func put(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        // A long line split by the writer across a rotation, a second rotation within the same
        // second (`.1`), files of another attempt and a compressed file this reader cannot read.
        try put("0.log.20260101-000000", "2026-01-01T00:00:01.000000000Z stdout F one\n2026-01-01T00:00:02.000000000Z stdout P tw\n")
        try put("0.log.20260101-000000.1", "2026-01-01T00:00:02.100000000Z stdout F o\n2026-01-01T00:00:03.000000000Z stderr F three\n")
        try put("0.log.20251231-235959.gz", "\u{1f}\u{8b} not text\n")
        try put("1.log.20260101-000000", "2026-01-01T00:00:01.000000000Z stdout F other attempt\n")
        try put("0.log", "2026-01-01T00:00:04.000000000Z stdout F four\n")
        await backend.setLogPath(live)

        var options = SwiftletAPIClient.LogQuery()
        let all = try await readLogs(api, "web", options)
        XCTAssertEqual(all, "one\ntwo\nthree\nfour\n")
        options.sinceTime = "2026-01-01T00:00:02Z"
        let since = try await readLogs(api, "web", options)
        XCTAssertEqual(since, "two\nthree\nfour\n")
        options = SwiftletAPIClient.LogQuery()
        options.sinceTime = "2026-01-01T00:00:02Z"
        options.sinceSeconds = 5
        let both = await statusError { [options] in _ = try api.streamLogs(namespace: "default", pod: "web", options: options) { _ in } }
        XCTAssertEqual(both?.code, 400)

        // Lines written to the live file, then a rotation (rename, new live file), then more lines:
        // each arrives once, whenever the reader happens to look.
        options = SwiftletAPIClient.LogQuery()
        options.follow = true
        options.tailLines = 0
        let followed = Task { [options] in try await readLogs(api, "web", options) }
        try await Task.sleep(for: .milliseconds(300))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: live))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("2026-01-01T00:00:05.000000000Z stdout F five\n".utf8))
        try FileManager.default.moveItem(atPath: live, toPath: dir + "/0.log.20260101-000005")
        try handle.write(contentsOf: Data("2026-01-01T00:00:05.500000000Z stdout P fi\n".utf8))
        try handle.close()
        try put("0.log", "2026-01-01T00:00:05.600000000Z stdout F ve-and-a-half\n")
        try await Task.sleep(for: .milliseconds(300))
        try FileManager.default.moveItem(atPath: live, toPath: dir + "/0.log.20260101-000006")
        try put("0.log", "2026-01-01T00:00:06.000000000Z stdout F six\n")
        await backend.setRunning(false)
        let followedText = try await followed.value
        XCTAssertEqual(followedText, "five\nfive-and-a-half\nsix\n")
    }

    func testShutdownEndsOpenWatches() async throws {
        let api = self.api
        let backend = self.backend
        _ = try await blocking { try api.createPod(makeTestPod("web")) }
        let watch = Task {
            try await blocking { () -> Int in
                var count = 0
                try api.watchPods(namespace: nil) { _ in
                    count += 1
                    return true
                }
                return count
            }
        }
        try await waitUntil { await backend.watcherCount == 1 }
        let started = ContinuousClock.now
        try await server?.shutdown()
        server = nil
        let received = try await watch.value
        XCTAssertEqual(received, 1)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        try await waitUntil { await backend.watcherCount == 0 }
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath))
    }

    func testCurlCanTalkToTheSocket() async throws {
        let curl = "/usr/bin/curl"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: curl), "curl is not installed")
        let api = self.api
        _ = try await blocking { try api.createPod(makeTestPod("web")) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["-sS", "--fail", "--unix-socket", socketPath, "http://localhost/api/v1/namespaces/default/pods/web"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let pod = try JSONDecoder().decode(Pod.self, from: output)
        XCTAssertEqual(pod.name, "web")
    }

    func testConnectErrorNamesTheSocket() async {
        let api = SwiftletAPIClient(socketPath: directory + "/missing.sock")
        do {
            _ = try await blocking { try api.listPods(namespace: nil) }
            XCTFail("expected a connection error")
        } catch {
            XCTAssertEqual(
                String(describing: error),
                "cannot connect to swiftlet at \(directory)/missing.sock: No such file or directory (is the daemon running?)")
        }
    }

    private func waitUntil(
        timeout: Duration = .seconds(5), _ condition: @escaping @Sendable () async -> Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("condition not met within \(timeout)", file: file, line: line)
    }
}

/// The client blocks; run it off the cooperative pool so the server keeps its threads.
private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

private func makeTestPod(_ name: String, labels: [String: String] = [:], containers: [String] = ["main"]) -> Pod {
    Pod(
        metadata: ObjectMeta(name: name, namespace: "default", labels: labels),
        spec: PodSpec(containers: containers.map { Container(name: $0, image: "busybox") }))
}

private func readLogs(_ api: SwiftletAPIClient, _ pod: String, _ options: SwiftletAPIClient.LogQuery) async throws -> String {
    try await blocking {
        var bytes: [UInt8] = []
        try api.streamLogs(namespace: "default", pod: pod, options: options) { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
