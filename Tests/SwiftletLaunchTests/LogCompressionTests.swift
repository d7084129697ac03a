import Foundation
import SwiftletLaunch
import SwiftletRuntime
import XCTest

/// gzip of rotated logs (libarchive) and the cursor reading through compressed files.
final class LogCompressionTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "swiftlet-gz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String, mode: Int = 0o640) throws {
        let path = dir + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
    }

    func lines(_ range: Range<Int>) -> String {
        range.map { "2026-11-27T05:15:00.000000000Z stdout F line\($0)\n" }.joined()
    }

    func testCompressWritesARealGzipFileWithTheSameModeAndRemovesThePlainOne() throws {
        let text = lines(0..<5000)
        try write("0.log.20261127-051500", text)
        try LogCompression.compress(dir + "/0.log.20261127-051500")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(names, ["0.log.20261127-051500.gz"])
        let gz = dir + "/0.log.20261127-051500.gz"
        let attributes = try FileManager.default.attributesOfItem(atPath: gz)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        XCTAssertLessThan((attributes[.size] as? NSNumber)?.intValue ?? .max, text.utf8.count / 5)
        // gzip itself reads it, with no trailing garbage.
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gunzip.arguments = ["-dc", gz]
        let out = Pipe()
        let err = Pipe()
        gunzip.standardOutput = out
        gunzip.standardError = err
        try gunzip.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        gunzip.waitUntilExit()
        XCTAssertEqual(gunzip.terminationStatus, 0, warnings)
        XCTAssertEqual(warnings, "")
        XCTAssertEqual(String(decoding: data, as: UTF8.self), text)
        XCTAssertEqual(LogCompression.inflate(gz).map { String(decoding: $0, as: UTF8.self) }, text)
    }

    func testInflateRefusesWhatIsNotGzip() throws {
        try write("plain.gz", "not compressed\n")
        XCTAssertNil(LogCompression.inflate(dir + "/plain.gz"))
        XCTAssertNil(LogCompression.inflate(dir + "/missing.gz"))
        XCTAssertThrowsError(try LogCompression.compress(dir + "/missing"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["plain.gz"], "no temporary left")
    }

    func testCursorReadsCompressedRotatedFilesInOrderAndSkipsThemWithoutGzip() throws {
        try write("0.log.20261127-051458", lines(0..<100))
        try write("0.log.20261127-051459", lines(100..<200))
        try write("0.log.20261127-051500", lines(200..<300))
        try write("0.log", lines(300..<310))
        try LogCompression.compress(dir + "/0.log.20261127-051458")
        try LogCompression.compress(dir + "/0.log.20261127-051459")
        // An interrupted compression: the .gz is complete, the plain file not yet removed; and a temporary.
        try write("0.log.20261127-051459", lines(100..<200))
        try write("0.log.20261127-051500.tmp", "garbage")

        let cursor = ContainerLogCursor(path: dir + "/0.log", inflate: { LogCompression.inflate($0) })
        XCTAssertEqual(String(decoding: cursor.read(), as: UTF8.self), lines(0..<310))
        let live = try XCTUnwrap(FileHandle(forWritingAtPath: dir + "/0.log"))
        try live.seekToEnd()
        try live.write(contentsOf: Data(lines(310..<311).utf8))
        try live.close()
        XCTAssertEqual(String(decoding: cursor.read(), as: UTF8.self), lines(310..<311), "then follows the live file")

        let plainOnly = ContainerLogCursor(path: dir + "/0.log")
        XCTAssertEqual(String(decoding: plainOnly.read(), as: UTF8.self), lines(100..<311))
    }

    func testCompressionPassLeavesEachRunsNewestRotatedFilePlain() throws {
        let pod = dir + "/logs/default_web_u1/main"
        try FileManager.default.createDirectory(atPath: pod, withIntermediateDirectories: true)
        for name in ["0.log.20261127-051458", "0.log.20261127-051459", "0.log", "0.log.20261127-051459.tmp"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: pod + "/" + name, contents: Data(lines(0..<10).utf8)))
        }
        let now = Int64(Date().timeIntervalSince1970)
        // The newest rotation is too recent.
        XCTAssertEqual(LogCompression.pass(logDirectory: dir + "/logs", now: now), [])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: pod).sorted(), ["0.log", "0.log.20261127-051458", "0.log.20261127-051459"])
        XCTAssertEqual(LogCompression.pass(logDirectory: dir + "/logs", now: now + 60), [])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: pod).sorted(), ["0.log", "0.log.20261127-051458.gz", "0.log.20261127-051459"])
    }
}
