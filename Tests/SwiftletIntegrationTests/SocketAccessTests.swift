import Foundation
import XCTest

/// The API socket: its group may read, only root and the admin group may write; refusals are logged.
final class SocketAccessTests: IntegrationTestCase {
    override var daemonArguments: [String] { super.daemonArguments + ["--socket-group", "nogroup"] }

    /// curl as nobody:nogroup, the socket's group.
    func curlAsNobody(_ arguments: [String]) throws -> String {
        try DaemonHarness.runTool(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
             "--unix-socket", harness.socket] + arguments)
    }

    func testGroupMembersReadButOnlyRootWrites() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed")
        var st = stat()
        XCTAssertEqual(stat(harness.socket, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o660)
        XCTAssertEqual(st.st_gid, 65534)
        XCTAssertEqual(try curlAsNobody(["http://localhost/api/v1/pods"]), "200")
        let body = #"{"metadata":{"name":"sneaky"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"#
        XCTAssertEqual(
            try curlAsNobody(["-X", "POST", "-H", "Content-Type: application/json", "-d", body,
                              "http://localhost/api/v1/namespaces/default/pods"]), "403")
        XCTAssertNil(harness.pod("sneaky"))
        let log = (try? String(contentsOfFile: harness.root + "/daemon.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("refused POST") && log.contains("uid 65534"), log)
    }
}
