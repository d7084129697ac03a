import Glibc
import SwiftletSystem
import XCTest

final class HeapTests: XCTestCase {
    /// This process's anonymous resident memory in KiB (smaps_rollup).
    private func anonymousKiB() throws -> Int {
        let text = try XCTUnwrap(FileIO.readString("/proc/self/smaps_rollup"))
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("Anonymous:") })
        return try XCTUnwrap(Int(line.split(separator: " ")[1]))
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
        let before = try anonymousKiB()
        Heap.releaseFreePages()
        let after = try anonymousKiB()
        // 64 × 64 KiB were freed; each free chunk gives back its whole inner pages (15 of 16).
        XCTAssertGreaterThan(before - after, 2048, "anonymous memory \(before) KiB → \(after) KiB")
    }
}
