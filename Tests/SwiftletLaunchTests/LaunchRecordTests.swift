import SwiftletLaunch
import SwiftletSystem
import XCTest

final class LaunchRecordTests: XCTestCase {
    func testKeyValueFileEscapesNewlinesAndBackslashes() throws {
        var file = KeyValueFile()
        file.append("arg", "line one\nline two")
        file.append("arg", #"back\slash\n literal"#)
        file.append("env", "EMPTY=")
        let parsed = try KeyValueFile(parsing: file.encoded())
        XCTAssertEqual(parsed, file)
        XCTAssertEqual(parsed.all("arg"), ["line one\nline two", #"back\slash\n literal"#])
        XCTAssertEqual(file.encoded().split(separator: "\n").count, 3, "one line per entry")
        XCTAssertThrowsError(try KeyValueFile(parsing: "no equals sign\n"))
    }

    func testLaunchSpecRoundTrip() throws {
        let spec = LaunchSpec(
            rootfs: "/run/swiftlet/pods/u/rootfs/c.0", arguments: ["sh", "-c", "echo $HOME\necho two"],
            environment: ["PATH=/bin", "A=b=c"], workingDirectory: "/work dir", cgroupProcs: ["/sys/fs/cgroup/pids/x/cgroup.procs"],
            logPath: "/var/log/pods/ns_p_u/c/0.log", privatePIDNamespace: false,
            binds: [.init(source: "/run/x/hosts", destination: "/etc/hosts", readOnly: true)])
        XCTAssertEqual(try LaunchSpec(decoding: spec.encoded()), spec)
        XCTAssertThrowsError(try LaunchSpec(decoding: "rootfs=/r\nlog=/l\n"), "no command") { error in
            XCTAssertEqual("\(error)", "launch spec: missing arg")
        }
        XCTAssertThrowsError(try LaunchSpec(decoding: "rootfs=/r\nlog=/l\narg=x\nbind=rw\t/a\n"))
        // One error type for every way a spec is unreadable (typed throws, as swiftlet-pause needs).
        XCTAssertThrowsError(try LaunchSpec(decoding: "rootfs=/r\nno equals sign\n")) { error in
            XCTAssertEqual("\(error)", "launch spec: line 2: expected key=value")
        }
    }

    func testSecurityRoundTrip() throws {
        var spec = LaunchSpec(
            rootfs: "/r", arguments: ["sh"], environment: [], workingDirectory: "/", cgroupProcs: [], logPath: "/l",
            privatePIDNamespace: true, binds: [])
        var security = LaunchSpec.Security(
            bounding: 0xa80425fb, effective: 0, permitted: 0, inheritable: 0, ambient: 0, uid: 1000, gid: 3000,
            groups: [4000, 5000], noNewPrivileges: true, readOnlyRootfs: true, maskedPaths: ["/proc/keys"],
            readonlyPaths: ["/proc/sys"], seccompFilter: "/run/x.seccomp")
        security.openFilesLimit = (1024, 1024)
        spec.security = security
        spec.oomScoreAdj = 1000
        let decoded = try LaunchSpec(decoding: spec.encoded())
        XCTAssertEqual(decoded, spec)
        XCTAssertEqual(decoded.security?.openFilesLimit?.hard, 1024)
        XCTAssertThrowsError(try LaunchSpec(decoding: "rootfs=/r\nlog=/l\narg=x\ncaps=1,2\n"))
        XCTAssertThrowsError(try LaunchSpec(decoding: "rootfs=/r\nlog=/l\narg=x\noomScoreAdj=5000\n"))
    }

    func testRunRecordsRoundTrip() throws {
        let started = RunRecord.Started(pid: 4242, startedAt: WallTime(seconds: 1_795_737_111, nanoseconds: 815_511_357))
        XCTAssertEqual(RunRecord.Started(decoding: started.encoded()), started)
        let exited = RunRecord.Exited(exitCode: 137, signal: 9, finishedAt: WallTime(seconds: 5, nanoseconds: 7))
        XCTAssertEqual(RunRecord.Exited(decoding: exited.encoded()), exited)
        XCTAssertTrue(exited.encoded().contains("finishedAt=5.000000007"))
        XCTAssertNil(RunRecord.Exited(decoding: "exitCode=x\n"))
    }

    func testPauseRequestLines() {
        let requests: [PauseRequest] = [.start(container: "web", attempt: 3), .signal(container: "web", signal: 15), .ping, .shutdown]
        for request in requests { XCTAssertEqual(PauseRequest(line: request.line), request) }
        for bad in ["", "start web", "start web x", "signal web", "reboot", "ping now"] {
            XCTAssertNil(PauseRequest(line: bad), bad)
        }
    }

    func testRFC3339() {
        XCTAssertEqual(RFC3339.format(seconds: 0, nanoseconds: nil), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.format(seconds: 1_475_713_029, nanoseconds: 669_794_202), "2016-10-06T00:17:09.669794202Z")
        XCTAssertEqual(RFC3339.format(seconds: 951_782_400, nanoseconds: nil), "2000-02-29T00:00:00Z")
        XCTAssertEqual(RFC3339.parse("2016-10-06T00:17:09.669794202Z")?.seconds, 1_475_713_029)
        XCTAssertEqual(RFC3339.parse("2016-10-06T00:17:09.5Z")?.nanoseconds, 500_000_000)
        XCTAssertEqual(RFC3339.parse("2016-10-06T02:17:09+02:00")?.seconds, 1_475_713_029)
        for bad in ["", "2016-10-06", "2016-13-06T00:17:09Z", "2016-10-06T00:17:09", "2016-10-06T00:17:09.Z"] {
            XCTAssertNil(RFC3339.parse(bad), bad)
        }
    }
}
