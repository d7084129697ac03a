import Foundation
import SwiftletLaunch
import SwiftletSystem

/// Reads a container's CRI log for one request: every file of the attempt (rotated ones first, with
/// `tailLines` / `sinceTime` / `limitBytes`), then, with `follow`, polls for new bytes — across
/// rotations, and across restarts when the source knows the container's attempts — until the
/// container has stopped for good and the end is reached.
struct ContainerLogReader: Sendable {
    var source: ContainerLogSource
    var options: LogOptions
    var pollInterval: Duration = .milliseconds(150)

    /// Calls `write` with chunks of log text; returns when done or when `write` throws (client gone).
    func run(write: @Sendable ([UInt8]) async throws -> Void) async throws {
        var assembler = CRILogAssembler(timestamps: options.timestamps, since: options.since)
        var budget = options.limitBytes ?? Int.max

        func emit(_ lines: [[UInt8]]) async throws -> Bool {
            var out: [UInt8] = []
            for line in lines {
                guard budget > 0 else { break }
                let piece = line.count <= budget ? line : Array(line.prefix(budget))
                out.append(contentsOf: piece)
                budget -= piece.count
            }
            if !out.isEmpty { try await write(out) }
            return budget > 0
        }

        var attempt = source.attempt
        var cursor = ContainerLogCursor(path: source.path, inflate: source.inflate)
        var initial = assembler.feed(cursor.read())
        if let tail = options.tailLines { initial = tail <= 0 ? [] : Array(initial.suffix(tail)) }
        guard try await emit(initial), options.follow else { return }

        while !Task.isCancelled {
            // Asked before reading: once the state says the run ended, the read below sees all it wrote.
            let state = await source.followState(attempt)
            let bytes = cursor.read()
            if !bytes.isEmpty {
                guard try await emit(assembler.feed(bytes)) else { return }
                continue
            }
            switch state {
            case .writing, .waiting:
                try await Task.sleep(for: pollInterval)
            case .restarted:
                attempt += 1
                cursor = ContainerLogCursor(path: source.path(for: attempt), inflate: source.inflate)
            case .done:
                return
            }
        }
    }
}
