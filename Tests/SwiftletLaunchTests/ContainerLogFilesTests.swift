import Foundation
import SwiftletLaunch
import XCTest

final class ContainerLogFilesTests: XCTestCase {
    func testStampIsTheKubeletsFormatInLocalTime() {
        let cases: [(Int64, Int64, String)] = [
            (0, 0, "19700101-000000"),
            (1_795_756_500, 0, "20261127-051500"),
            (1_795_756_500, 19_800, "20261127-104500"),  // UTC+5:30
            (1_795_756_500, -36_000, "20261126-191500"),  // UTC-10, the day before
            (1_798_761_599, 3_600, "20270101-005959"),  // UTC+1 across a year
        ]
        for (seconds, offset, stamp) in cases {
            XCTAssertEqual(ContainerLogFiles.stamp(seconds: seconds, utcOffset: offset), stamp, "\(seconds) \(offset)")
        }
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
        XCTAssertEqual(ContainerLogFiles.rotatedName(base: "0.log", seconds: t, utcOffset: 0, existing: ["0.log"]), "0.log.20261127-051500")
        XCTAssertEqual(
            ContainerLogFiles.rotatedName(base: "0.log", seconds: t, utcOffset: 0, existing: ["0.log", "0.log.20261127-051500"]),
            "0.log.20261127-051500.1")
        XCTAssertEqual(
            ContainerLogFiles.rotatedName(
                base: "0.log", seconds: t, utcOffset: 0, existing: ["0.log.20261127-051500", "0.log.20261127-051500.1"]),
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

final class ContainerLogCompressionPolicyTests: XCTestCase {
    func testBaseOfAnAttemptsFiles() {
        let table: [(String, String?)] = [
            ("0.log", "0.log"), ("12.log.20261127-051500", "12.log"), ("3.log.20261127-051500.2.gz", "3.log"),
            ("0.log.20261127-051500.tmp", "0.log"), ("0.logs", nil), ("x.log", nil), (".log", nil), ("0.txt", nil),
            ("termination-log", nil),
        ]
        for (name, base) in table { XCTAssertEqual(ContainerLogFiles.base(of: name), base, name) }
    }

    func testUnusedAreTemporariesAndCompressedLeftovers() {
        let names = [
            "0.log", "0.log.20261127-051500", "0.log.20261127-051500.gz", "0.log.20261127-051501",
            "0.log.20261127-051501.tmp", "1.log.20261127-051400.gz", "other.tmp",
        ]
        XCTAssertEqual(ContainerLogFiles.unused(names), ["0.log.20261127-051500", "0.log.20261127-051501.tmp"])
    }

    func testEveryRotatedFileButTheNewestIsCompressedOnceSettled() {
        let now: Int64 = 1_000
        func entries(_ newestModified: Int64) -> [ContainerLogFiles.Entry] {
            [
                .init(name: "0.log", modified: now),
                .init(name: "0.log.20261127-051459.gz", modified: 900),
                .init(name: "0.log.20261127-051500", modified: 950),
                .init(name: "0.log.20261127-051500.1", modified: 960),
                .init(name: "0.log.20261127-051501", modified: newestModified),
                // An older attempt: its newest rotated file stays plain too.
                .init(name: "1.log.20261127-051400", modified: 100),
                .init(name: "1.log.20261127-051401", modified: 200),
                .init(name: "2.log.20261127-051402", modified: 300),
                .init(name: "2.log", modified: 400),
            ]
        }
        XCTAssertEqual(
            ContainerLogFiles.compressible(entries(now - 10), now: now),
            ["0.log.20261127-051500", "0.log.20261127-051500.1", "1.log.20261127-051400"])
        // The newest rotation is too recent: a reader may still be on the file before it.
        XCTAssertEqual(ContainerLogFiles.compressible(entries(now - 9), now: now), ["1.log.20261127-051400"])
        // A plain file whose .gz exists is a leftover to remove, not to compress again.
        let leftover = [
            ContainerLogFiles.Entry(name: "0.log.20261127-051500", modified: 1),
            .init(name: "0.log.20261127-051500.gz", modified: 1), .init(name: "0.log.20261127-051501", modified: 1),
        ]
        XCTAssertEqual(ContainerLogFiles.compressible(leftover, now: now), [])
    }
}
