import Foundation

/// Reads a CRI log file for one request: the whole file (with `tailLines` / `limitBytes`), then,
/// with `follow`, polls for appended bytes until the container has stopped and EOF is reached.
struct ContainerLogReader: Sendable {
    var source: ContainerLogSource
    var options: LogOptions
    var pollInterval: Duration = .milliseconds(150)

    /// Calls `write` with chunks of log text; returns when done or when `write` throws (client gone).
    func run(write: @Sendable ([UInt8]) async throws -> Void) async throws {
        var assembler = CRILogAssembler(timestamps: options.timestamps)
        var budget = options.limitBytes ?? Int.max
        var offset: UInt64 = 0

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

        var initial = assembler.feed(readFrom(&offset))
        if let tail = options.tailLines { initial = tail <= 0 ? [] : Array(initial.suffix(tail)) }
        guard try await emit(initial), options.follow else { return }

        while !Task.isCancelled {
            let running = await source.isRunning()
            let bytes = readFrom(&offset)
            if !bytes.isEmpty {
                guard try await emit(assembler.feed(bytes)) else { return }
                continue
            }
            // Read once more after seeing the container stopped, so its last lines are not lost.
            if !running { return }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Reads everything appended since `offset`. A missing file is empty: the container may not have written yet.
    private func readFrom(_ offset: inout UInt64) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: source.path) else { return [] }
        defer { try? handle.close() }
        // A file shorter than our offset was truncated or replaced: start over.
        if let end = try? handle.seekToEnd(), end < offset { offset = 0 }
        do {
            try handle.seek(toOffset: offset)
            let data = try handle.readToEnd() ?? Data()
            offset += UInt64(data.count)
            return [UInt8](data)
        } catch {
            return []
        }
    }
}
