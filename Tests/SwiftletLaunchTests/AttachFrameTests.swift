import Foundation
import SwiftletLaunch
import XCTest

final class AttachFrameTests: XCTestCase {
    func testFramesSurviveAnySplitOfTheStream() {
        let frames = [
            AttachFrame(.stdout, Array("hello\n".utf8)), AttachFrame(.stdin, []), AttachFrame(.stderr, [0, 255, 10]),
            AttachFrame(.stdinEnd), AttachFrame(.exit, Array("137".utf8)),
        ]
        let bytes = frames.flatMap(\.encoded)
        for step in [1, 2, 5, 7, bytes.count] {
            var decoder = AttachFrame.Decoder()
            var decoded: [AttachFrame] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + step, bytes.count)
                decoded += decoder.feed(bytes[offset..<end]) ?? []
                offset = end
            }
            XCTAssertEqual(decoded, frames, "split every \(step) bytes")
        }
    }

    func testBrokenStreamsAreRefused() {
        var unknown = AttachFrame.Decoder()
        XCTAssertNil(unknown.feed([9, 0, 0, 0, 0]))
        var huge = AttachFrame.Decoder()
        XCTAssertNil(huge.feed([1, 0x7f, 0xff, 0xff, 0xff]))
    }

    func testAttachRequestLine() {
        XCTAssertEqual(PauseRequest.attach(container: "main", stdin: true).line, "attach main stdin")
        XCTAssertEqual(PauseRequest(line: "attach main nostdin"), .attach(container: "main", stdin: false))
        XCTAssertNil(PauseRequest(line: "attach main maybe"))
    }

    func testLaunchSpecCarriesStdin() throws {
        var spec = LaunchSpec(
            rootfs: "/r", arguments: ["sh"], environment: [], workingDirectory: "/", cgroupProcs: [], logPath: "/l/0.log",
            privatePIDNamespace: true, binds: [])
        var decoded = try LaunchSpec(decoding: spec.encoded())
        XCTAssertFalse(decoded.openStdin)
        spec.openStdin = true
        spec.stdinOnce = true
        decoded = try LaunchSpec(decoding: spec.encoded())
        XCTAssertTrue(decoded.openStdin && decoded.stdinOnce)
        XCTAssertFalse(decoded.tty)
        spec.tty = true
        XCTAssertTrue(try LaunchSpec(decoding: spec.encoded()).tty)
        XCTAssertThrowsError(try LaunchSpec(decoding: spec.encoded().replacingOccurrences(of: "stdin=once", with: "stdin=sometimes")))
    }
}
