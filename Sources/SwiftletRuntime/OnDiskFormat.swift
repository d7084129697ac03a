import SwiftletSystem

/// The version of the layout under the run and state directories, so that an upgraded agent
/// re-adopts pods an older one started, and an older agent refuses a layout it does not know
/// instead of misreading it (a downgrade over running pods).
///
/// Format history:
///   0 — no `format` file (agents before the file existed); the same layout as 1.
///   1 — `format` holds `swiftlet-state 1`.
public enum OnDiskFormat {
    public static let current = 1
    static let fileName = "format"
    static let prefix = "swiftlet-state "

    public enum Outcome: Equatable, Sendable {
        case fresh
        case current
        /// Migrated from this older format.
        case migrated(from: Int)
    }

    /// Reads the directory's format, migrates it to `current`, and records it.
    @discardableResult
    public static func prepare(directory: String) throws -> Outcome {
        let path = directory + "/" + fileName
        let found: Int
        let isFresh: Bool
        if let raw = try FileIO.readString(path) {
            let text = raw.trimmingTrailingNewlines
            guard text.hasPrefix(prefix), let version = Int(text.dropFirst(prefix.count)) else {
                throw RuntimeError("InvalidState", "\(path): unreadable format marker \"\(text)\" (expected \"\(prefix)N\")")
            }
            found = version
            isFresh = false
        } else {
            found = 0
            isFresh = FileIO.list(directory).isEmpty
        }
        if found > current {
            throw RuntimeError(
                "InvalidState",
                "\(directory) was written by a newer swiftlet (state format \(found)); this one understands up to \(current). Run the newer version, or move the directory away")
        }
        if found == current { return .current }
        try FileIO.makeDirectories(directory, mode: 0o755)
        // 0 → 1: the layout did not change; only the marker is new.
        try FileIO.writeAtomically(path, prefix + String(current) + "\n")
        return isFresh ? .fresh : .migrated(from: found)
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" || s.last == " " { s.removeLast() }
        return String(s)
    }
}
