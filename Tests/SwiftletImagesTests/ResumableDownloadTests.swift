import Foundation
@testable import SwiftletImages
import SwiftletTestSupport
import XCTest

/// Partial downloads in tmp/: resumed from their bytes (digest over the whole blob), restarted when
/// wrong, kept by the start-up cleanup, dropped by garbage collection.
final class ResumableDownloadTests: XCTestCase {
    private var work: TempDirectory!
    private var store: LocalImageStore!
    private let blob = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
    private var descriptor: OCIDescriptor!

    override func setUpWithError() throws {
        work = try TempDirectory("resume")
        store = try LocalImageStore(stateDir: work.path + "/state")
        descriptor = OCIDescriptor(
            mediaType: OCIMediaType.layer, digest: try OCIDigest(parsing: SHA256.digest(of: blob)), size: Int64(blob.count))
    }

    override func tearDown() { work?.remove() }

    private var tmp: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory)) ?? []).sorted() }

    private func write(_ writer: BlobWriter, _ range: Range<Int>) throws {
        try blob[range].withUnsafeBytes { try writer.write($0) }
    }

    func testACutDownloadResumesAndIsVerifiedWhole() throws {
        let first = try store.content.resumableWriter(expected: descriptor)
        try write(first, 0..<100_000)
        first.suspend(keep: true)
        XCTAssertEqual(tmp, ["partial-" + descriptor.digest.hex])

        // Start-up cleanup keeps it (a pull will continue it) but removes other debris.
        FileManager.default.createFile(atPath: store.stagingDirectory + "/blob-1-dead", contents: Data([1]))
        XCTAssertEqual(try store.cleanStaging(), ["blob-1-dead"])

        let second = try store.content.resumableWriter(expected: descriptor)
        XCTAssertEqual(second.written, 100_000, "continues after the bytes already there")
        try write(second, 100_000..<blob.count)
        XCTAssertEqual(try second.commit(), descriptor.digest)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.content.path(descriptor.digest))), Data(blob))
        XCTAssertEqual(tmp, [])
    }

    func testWrongBytesAreDroppedAndTheNextAttemptStartsOver() throws {
        // A partial whose bytes are not the blob's: the digest check over the whole blob catches it.
        var wrong = blob
        wrong[5] ^= 0xff
        FileManager.default.createFile(atPath: store.content.partialPath(descriptor.digest), contents: Data(wrong[0..<1000]))
        let writer = try store.content.resumableWriter(expected: descriptor)
        XCTAssertEqual(writer.written, 1000)
        try write(writer, 1000..<blob.count)
        XCTAssertThrowsError(try writer.commit()) { XCTAssertTrue("\($0)".contains("failed verification: content has digest"), "\($0)") }
        XCTAssertEqual(tmp, [], "a bad partial is removed, so the next pull downloads it whole")

        // Longer than the blob: not this blob's, restarted at once.
        FileManager.default.createFile(atPath: store.content.partialPath(descriptor.digest), contents: Data(count: blob.count + 1))
        let again = try store.content.resumableWriter(expected: descriptor)
        XCTAssertEqual(again.written, 0)
        try write(again, 0..<blob.count)
        XCTAssertEqual(try again.commit(), descriptor.digest)
    }

    func testAPartialInUseIsNeitherSharedNorCollected() throws {
        let owner = try store.content.resumableWriter(expected: descriptor)
        try write(owner, 0..<10)
        // Another download of the same blob (another process) gets a private file.
        let other = try store.content.resumableWriter(expected: descriptor)
        XCTAssertFalse(other.resumable)
        XCTAssertEqual(other.written, 0)
        other.abandon()
        try store.collectGarbage()
        XCTAssertEqual(tmp, ["partial-" + descriptor.digest.hex], "in use: kept")
        owner.suspend(keep: true)
        try store.collectGarbage()
        XCTAssertEqual(tmp, [], "idle: garbage collection drops it")
    }

    func testAFailedRequestLeavesNoEmptyPartial() throws {
        let writer = try store.content.resumableWriter(expected: descriptor)
        writer.suspend(keep: true)  // e.g. the registry answered 401 before any byte
        XCTAssertEqual(tmp, [])
    }

    func testContentRangeStart() {
        XCTAssertEqual(RegistryClient.contentRangeStart("bytes 100-299999/300000"), 100)
        XCTAssertNil(RegistryClient.contentRangeStart("bytes */300000"))
        XCTAssertNil(RegistryClient.contentRangeStart(nil))
    }
}
