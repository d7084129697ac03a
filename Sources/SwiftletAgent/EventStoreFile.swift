import Dispatch
import Foundation
import SwiftletKube
import SwiftletSystem

/// The events file in the state directory (`events/events.jsonl`): what the API server keeps in
/// etcd, so `get events` and `describe pod` survive an agent restart. One JSON object per line
/// (`{"combined":false,"event":{…}}`), so a truncated or damaged line costs that event only.
/// Written whole to a temporary file and renamed over the old one; never fsynced (a crash of the
/// agent keeps the page cache, a power loss may cost the latest events).
struct EventStoreFile: Sendable {
    let path: String
    /// The most a rewrite may take: the store's 1000 events are ~0.5 MiB with short messages;
    /// long ones (probe output, manifest errors) beyond the budget stay in memory only.
    let sizeLimit: Int
    /// Writes one after another, in the order the recorder took its snapshots.
    private let queue = DispatchQueue(label: "swiftlet.events.file")

    init(path: String, sizeLimit: Int = 8 << 20) {
        self.path = path
        self.sizeLimit = sizeLimit
    }

    struct Line: Codable, Sendable {
        /// A "(combined from similar events)" event: its key is its group, not its message.
        var combined: Bool
        var event: Event
    }

    struct Loaded: Sendable {
        var lines: [Line] = []
        /// One message per unreadable line or file, for the log.
        var problems: [String] = []
        /// Where the damaged file was kept for inspection (the next write replaces the original).
        var setAside: String?
    }

    /// The stored events; a missing file is an empty store. Lines that do not decode are skipped
    /// and reported; the damaged file is renamed to `events.jsonl.corrupt`.
    func load() -> Loaded {
        var loaded = Loaded()
        guard FileIO.exists(path) else { return loaded }
        guard let data = FileManager.default.contents(atPath: path) else {
            loaded.problems.append("cannot read \(path)")
            return loaded
        }
        var number = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty { continue }
            do {
                loaded.lines.append(try KubeJSON.decode(Line.self, from: Data(line)))
            } catch {
                if loaded.problems.count < 5 { loaded.problems.append("\(path):\(number): \(Self.describe(error))") }
                else if loaded.problems.count == 5 { loaded.problems.append("\(path): more unreadable lines") }
            }
        }
        if !loaded.problems.isEmpty {
            let aside = path + ".corrupt"
            if rename(path, aside) == 0 { loaded.setAside = aside }
        }
        return loaded
    }

    /// Replaces the file with `lines`, the most recently updated first until `sizeLimit`.
    /// Returns how many events did not fit.
    func save(_ lines: [Line]) throws -> Int {
        var text = Data()
        var left = 0
        let encoder = KubeJSON.encoder()
        for line in lines.sorted(by: { $0.event.lastTimestamp > $1.event.lastTimestamp }) {
            let data = try encoder.encode(line)
            guard text.count + data.count + 1 <= sizeLimit else {
                left += 1
                continue
            }
            text.append(data)
            text.append(0x0A)
        }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileIO.writeAtomically(path, String(decoding: text, as: UTF8.self), mode: 0o600)
        return left
    }

    /// `save` on the file's own serial queue, off the caller's thread (never on an actor's).
    func write(_ lines: [Line]) async -> Result<Int, any Error> {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { try save(lines) }) }
        }
    }

    /// `load` off the caller's thread.
    func read() async -> Loaded {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: load()) }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "not JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, let context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "bad \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
