import Foundation
import SwiftletLaunch
import XCTest

final class ContainerLogFilesTests: XCTestCase {
    func testStampIsTheKubeletsFormatInUTC() {
        XCTAssertEqual(ContainerLogFiles.stamp(seconds: 0), "19700101-000000")
        XCTAssertEqual(ContainerLogFiles.stamp(seconds: 1_795_756_500), "20261127-051500")
    }

    func testRotatedFilesSortOldestFirstWithSequencesAndCompression() {
        let names = [
            "0.log", "0.log.20261127-051500.10", "0.log.20261127-051500.2", "0.log.20261127-051459.gz",
            "0.log.20261127-051500", "0.log.20261127-051501", "1.log.20261127-051400", "0.log.tmp",
            "0.log.20261127-051500.gz.tmp", "0.log.2026112-051500", "0.log.20261127-051500.0",
        ]
        XCTAssertEqual(
            ContainerLogFiles.rotated(names, base: "0.log"),
            [
                "0.log.20261127-051459.gz", "0.log.20261127-051500", "0.log.20261127-051500.2",
                "0.log.20261127-051500.10", "0.log.20261127-051501",
            ])
    }

    func testRotatedNameAvoidsCollisionsWithinOneSecond() {
        let t: Int64 = 1_795_756_500
        XCTAssertEqual(ContainerLogFiles.rotatedName(base: "0.log", seconds: t, existing: ["0.log"]), "0.log.20261127-051500")
        XCTAssertEqual(
            ContainerLogFiles.rotatedName(base: "0.log", seconds: t, existing: ["0.log", "0.log.20261127-051500"]),
            "0.log.20261127-051500.1")
        XCTAssertEqual(
            ContainerLogFiles.rotatedName(
                base: "0.log", seconds: t, existing: ["0.log.20261127-051500", "0.log.20261127-051500.1"]),
            "0.log.20261127-051500.2")
    }

    func testExcessKeepsRoomForTheNewRotatedFile() {
        let names = ["0.log", "0.log.20261127-051500", "0.log.20261127-051501", "0.log.20261127-051502", "0.log.20261127-051503"]
        // 5 files at most: the live one, the one about to be rotated, and 3 older ones.
        XCTAssertEqual(ContainerLogFiles.excess(names, base: "0.log", maxFiles: 5), ["0.log.20261127-051500"])
        XCTAssertEqual(
            ContainerLogFiles.excess(names, base: "0.log", maxFiles: 2),
            ["0.log.20261127-051500", "0.log.20261127-051501", "0.log.20261127-051502", "0.log.20261127-051503"])
        XCTAssertEqual(ContainerLogFiles.excess(names, base: "0.log", maxFiles: 10), [])
    }

    func testLaunchSpecCarriesTheRotation() throws {
        var spec = LaunchSpec(
            rootfs: "/r", arguments: ["sh"], environment: [], workingDirectory: "/", cgroupProcs: [], logPath: "/l/0.log",
            privatePIDNamespace: true, binds: [])
        XCTAssertNil(try LaunchSpec(decoding: spec.encoded()).logRotation)
        spec.logRotation = .init(maxSize: 1024, maxFiles: 3)
        XCTAssertEqual(try LaunchSpec(decoding: spec.encoded()).logRotation, .init(maxSize: 1024, maxFiles: 3))
        XCTAssertThrowsError(try LaunchSpec(decoding: spec.encoded().replacingOccurrences(of: "logMaxFiles=3", with: "logMaxFiles=1")))
    }
}
