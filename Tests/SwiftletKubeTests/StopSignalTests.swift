import Foundation
import SwiftletKube
import XCTest

final class StopSignalTests: XCTestCase {
    func pod(os: String?, lifecycle: String, initContainers: String = "") throws -> Pod {
        let osField = os.map { #""os":{"name":"\#($0)"},"# } ?? ""
        let json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{\(osField)\(initContainers)
            "containers":[{"name":"c","image":"busybox","lifecycle":\(lifecycle)}]}}
            """
        return try KubeJSON.decode(Pod.self, from: Data(json.utf8)).withDefaults()
    }

    /// The API server's messages (`validateOS`, `validateContainerStopSignal`), one row per case.
    func testValidationMessages() throws {
        let linuxList = StopSignal.supportedLinux.map { "\"\($0)\"" }.joined(separator: ", ")
        let table: [(os: String?, lifecycle: String, expected: [String])] = [
            ("linux", #"{"stopSignal":"SIGUSR1"}"#, []),
            ("linux", #"{"stopSignal":"SIGRTMIN+3"}"#, []),
            ("linux", #"{"stopSignal":"SIGRTMAX-14"}"#, []),
            ("windows", #"{"stopSignal":"SIGKILL"}"#, []),
            (nil, #"{"preStop":{"exec":{"command":["true"]}}}"#, []),
            (nil, #"{"stopSignal":"SIGTERM"}"#,
             ["spec.containers[0].lifecycle.stopSignal: Forbidden: may not be set for containers with empty `spec.os.name`"]),
            ("windows", #"{"stopSignal":"SIGUSR1"}"#,
             [#"spec.containers[0].lifecycle.stopSignal: Unsupported value: "SIGUSR1": supported values: "SIGKILL", "SIGTERM""#]),
            ("linux", #"{"stopSignal":"USR1"}"#,
             ["spec.containers[0].lifecycle.stopSignal: Unsupported value: \"USR1\": supported values: \(linuxList)"]),
            ("linux", #"{"stopSignal":"SIGRTMIN+16"}"#,
             ["spec.containers[0].lifecycle.stopSignal: Unsupported value: \"SIGRTMIN+16\": supported values: \(linuxList)"]),
            ("linux", #"{"stopSignal":""}"#, ["spec.containers[0].lifecycle.stopSignal: Required value"]),
            ("", #"{"stopSignal":"SIGTERM"}"#, ["spec.os.name: Required value: cannot be empty"]),
            ("darwin", #"{}"#, [#"spec.os: Unsupported value: "darwin": supported values: "linux", "windows""#]),
        ]
        for row in table {
            let errors = try pod(os: row.os, lifecycle: row.lifecycle).validate().map(\.description)
            XCTAssertEqual(errors, row.expected, "\(row.os ?? "nil") \(row.lifecycle)")
        }
    }

    func testSidecarsAreCheckedAndPlainInitContainersReportTheLifecycleOnce() throws {
        let sidecar = #""initContainers":[{"name":"s","image":"busybox","restartPolicy":"Always","lifecycle":{"stopSignal":"SIGFOO"}}],"#
        let errors = try pod(os: "windows", lifecycle: "{}", initContainers: sidecar).validate().map(\.description)
        XCTAssertEqual(errors, [#"spec.initContainers[0].lifecycle.stopSignal: Unsupported value: "SIGFOO": supported values: "SIGKILL", "SIGTERM""#])
        let plain = #""initContainers":[{"name":"s","image":"busybox","lifecycle":{"stopSignal":"SIGUSR1"}}],"#
        XCTAssertEqual(
            try pod(os: nil, lifecycle: "{}", initContainers: plain).validate().map(\.description),
            ["spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"])
    }

    func testTheLinuxListIsTheAPIServers() {
        XCTAssertEqual(StopSignal.supportedLinux.count, 65)
        XCTAssertEqual(StopSignal.supportedLinux.first, "SIGABRT")
        XCTAssertEqual(StopSignal.supportedLinux.last, "SIGXFSZ")
        XCTAssertEqual(StopSignal.linuxNumbers["SIGRTMIN+1"], 35)
        XCTAssertEqual(StopSignal.linuxNumbers["SIGRTMAX-1"], 63)
        XCTAssertEqual(StopSignal.linuxNumbers["SIGUSR1"], 10)
    }

    /// Spec over image over SIGTERM, and the image's spellings as moby's ParseSignal reads them.
    func testEffectiveSignal() {
        var container = Container(name: "c", image: "busybox")
        let table: [(spec: String?, image: String?, expected: String)] = [
            (nil, nil, "SIGTERM"),
            (nil, "SIGQUIT", "SIGQUIT"),
            (nil, "quit", "SIGQUIT"),
            (nil, "3", "SIGQUIT"),
            (nil, "6", "SIGABRT"),
            (nil, "RTMIN+3", "SIGRTMIN+3"),
            (nil, "SIGNOPE", "SIGTERM"),
            (nil, "99", "SIGTERM"),
            ("SIGUSR1", "SIGQUIT", "SIGUSR1"),
            ("SIGKILL", nil, "SIGKILL"),
        ]
        for row in table {
            container.lifecycle = row.spec.map { Lifecycle(stopSignal: $0) }
            XCTAssertEqual(container.effectiveStopSignal(imageStopSignal: row.image), row.expected, "\(row)")
        }
    }

    func testRoundTripsThroughTheAPIShape() throws {
        let p = try pod(os: "linux", lifecycle: #"{"stopSignal":"SIGUSR1"}"#)
        let back = try KubeJSON.decode(Pod.self, from: KubeJSON.encode(p))
        XCTAssertEqual(back.spec.os?.name, "linux")
        XCTAssertEqual(back.spec.containers[0].lifecycle?.stopSignal, "SIGUSR1")
    }
}
