import SwiftletKube
import XCTest

final class ExecFrameTests: XCTestCase {
    func testFramesSurviveAnyCut() throws {
        let frames = [
            ExecFrame(.stdin, Array("hello".utf8)), ExecFrame(.stdin, []), ExecFrame(.resize, Array("{\"Width\":80,\"Height\":24}".utf8)),
            ExecFrame(.stdout, [UInt8](repeating: 7, count: 70_000)),
        ]
        let bytes = frames.flatMap(\.encoded)
        for cut in [1, 2, 5, 6, 4096, bytes.count] {
            var decoder = ExecFrameDecoder()
            var decoded: [ExecFrame] = []
            var offset = 0
            while offset < bytes.count {
                decoded += try decoder.feed(bytes[offset..<min(offset + cut, bytes.count)])
                offset += cut
            }
            XCTAssertEqual(decoded, frames, "cut every \(cut) bytes")
        }
    }

    func testHeaderIsChannelAndBigEndianLength() {
        XCTAssertEqual(ExecFrame(.stderr, [9, 9, 9]).encoded, [2, 0, 0, 0, 3, 9, 9, 9])
    }

    func testUnknownChannelAndOversizedFramesAreRefused() {
        var decoder = ExecFrameDecoder()
        XCTAssertThrowsError(try decoder.feed([9, 0, 0, 0, 0])) { XCTAssertEqual($0 as? ExecFrameError, .unknownChannel(9)) }
        var big = ExecFrameDecoder()
        XCTAssertThrowsError(try big.feed([0, 0x10, 0, 0, 0])) { XCTAssertEqual($0 as? ExecFrameError, .tooLarge(0x1000_0000)) }
    }

    func testResultCarriesTheExitCode() {
        XCTAssertEqual(ExecResult(exitCode: 0).status, "Success")
        XCTAssertNil(ExecResult(exitCode: 0).message)
        XCTAssertEqual(ExecResult(exitCode: 3).message, "command terminated with non-zero exit code: 3")
    }
}
