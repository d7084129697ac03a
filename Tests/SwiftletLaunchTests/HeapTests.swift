import Glibc
import SwiftletSystem
import XCTest

final class HeapTests: XCTestCase {
    /// Resident pages among the whole pages inside each block (mincore). Counting only the test's
    /// own blocks, not the process's anonymous memory: other tests' threads allocate and free
    /// concurrently in the same process, which moved a process-wide figure by megabytes.
    private func residentInnerPages(_ blocks: [UnsafeMutableRawPointer], size: Int) throws -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        for block in blocks {
            let start = (Int(bitPattern: block) + page - 1) / page * page
            let end = (Int(bitPattern: block) + size) / page * page
            guard end > start else { continue }
            var vector = [UInt8](repeating: 0, count: (end - start) / page)
            let rc = try XCTUnwrap(UnsafeMutableRawPointer(bitPattern: start)).withMemoryRebound(to: UInt8.self, capacity: 1) {
                mincore(UnsafeMutableRawPointer($0), end - start, &vector)
            }
            XCTAssertEqual(rc, 0, "mincore: errno \(errno)")
            resident += vector.filter { $0 & 1 == 1 }.count
        }
        return resident
    }

    /// Freed chunks in the middle of an arena stay resident until trimmed: 64 KiB blocks (below
    /// glibc's mmap threshold), each followed by a small live allocation so that freeing them
    /// cannot merge them into the top chunk, which free() itself would trim.
    func testReleaseFreePagesReturnsFreedChunksInTheMiddleOfTheHeap() throws {
        let size = 64 * 1024
        var blocks: [UnsafeMutableRawPointer] = []
        var pins: [UnsafeMutableRawPointer] = []
        for _ in 0..<64 {
            let block = try XCTUnwrap(malloc(size))
            memset(block, 1, size)
            blocks.append(block)
            pins.append(try XCTUnwrap(malloc(32)))
        }
        defer { pins.forEach { free($0) } }
        for block in blocks { free(block) }
        // The addresses stay mapped (heap pages), so mincore can still look at them once freed.
        let before = try residentInnerPages(blocks, size: size)
        Heap.releaseFreePages()
        let after = try residentInnerPages(blocks, size: size)
        // 64 × 64 KiB were freed and are resident; trimming gives back each free chunk's inner pages.
        // Another thread may reuse a few of the chunks in between, hence "most", not "all".
        XCTAssertGreaterThan(before, 64 * 8, "resident pages of the freed blocks before trimming")
        XCTAssertLessThan(after, before / 2, "resident pages of the freed blocks: \(before) → \(after)")
    }
}
