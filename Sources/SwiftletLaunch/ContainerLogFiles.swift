#if !hasFeature(Embedded)  // swiftlet-pause compiles this file into its own module (see Package.swift)
import SwiftletSystem
#endif

/// The files of one container attempt's CRI log: the live `<attempt>.log` that swiftlet-pause appends
/// to, and the rotated ones beside it, `<attempt>.log.<YYYYMMDD-hhmmss>` (the kubelet's naming, in
/// the node's local time as the kubelet's container log manager stamps them).
/// Shared by the writer (swiftlet-pause rotates) and the readers (which follow across rotations).
public enum ContainerLogFiles {
    /// The rotation policy: `containerLogMaxSize` bytes (0: never rotate) and `containerLogMaxFiles`
    /// files per attempt, the live one included (the kubelet's meaning; at least 2).
    public struct Rotation: Hashable, Sendable {
        public var maxSize: Int64
        public var maxFiles: Int

        public init(maxSize: Int64, maxFiles: Int) {
            self.maxSize = maxSize
            self.maxFiles = maxFiles
        }

        /// The kubelet's defaults: 10Mi, 5 files.
        public static let kubeletDefault = Rotation(maxSize: 10 << 20, maxFiles: 5)
    }

    /// Where a rotated file sorts: its time stamp, then a sequence number. The kubelet rotates at
    /// most every 10 s so one-second stamps never collide there; swiftlet-pause rotates as soon as
    /// the size is reached, so a second rotation within the same second gets `.<n>` appended.
    public struct Order: Comparable, Hashable, Sendable {
        public var stamp: String
        public var sequence: Int

        public static func < (a: Order, b: Order) -> Bool {
            (a.stamp, a.sequence) < (b.stamp, b.sequence)
        }
    }

    /// `20261127-051500` for a time in seconds since the epoch, in the zone `utcOffset` seconds east
    /// of UTC (the kubelet formats `clock.Now()`, local time, with `20060102-150405`).
    public static func stamp(seconds: Int64, utcOffset: Int64) -> String {
        // RFC3339.format gives `2026-11-27T05:15:00Z` for the shifted time; keep the digits.
        let digits = RFC3339.format(seconds: seconds + utcOffset, nanoseconds: nil).filter { $0.isNumber }
        return String(digits.prefix(8)) + "-" + String(digits.dropFirst(8).prefix(6))
    }

    /// The order of `name` if it is a rotated file of `base` (`0.log`), compressed (`.gz`) or not.
    public static func order(of name: String, base: String) -> Order? {
        guard name.hasPrefix(base + "."), name.count > base.count + 1 else { return nil }
        var rest = Substring(name.dropFirst(base.count + 1))
        if rest.hasSuffix(".gz") { rest = rest.dropLast(3) }
        // A temporary of an interrupted compression (`.tmp`) or anything else is not a log file.
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, isStamp(parts[0]) else { return nil }
        var sequence = 0
        if parts.count == 2 {
            guard let n = Int(parts[1]), n > 0 else { return nil }
            sequence = n
        }
        return Order(stamp: String(parts[0]), sequence: sequence)
    }

    private static func isStamp(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 15, b[8] == UInt8(ascii: "-") else { return false }
        return b.enumerated().allSatisfy { $0.offset == 8 || ($0.element >= 48 && $0.element <= 57) }
    }

    /// The rotated files of `base` among `names`, oldest first.
    public static func rotated(_ names: [String], base: String) -> [String] {
        names.compactMap { name in order(of: name, base: base).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }.map { $0.0 }
    }

    /// The name the live file gets when rotated at `seconds` (local time `utcOffset` seconds east of
    /// UTC), not colliding with `existing`.
    public static func rotatedName(base: String, seconds: Int64, utcOffset: Int64, existing: [String]) -> String {
        let stamp = stamp(seconds: seconds, utcOffset: utcOffset)
        let taken = Set(existing.compactMap { order(of: $0, base: base) }.filter { $0.stamp == stamp }.map { $0.sequence })
        guard !taken.isEmpty else { return base + "." + stamp }
        return base + "." + stamp + "." + String((taken.max() ?? 0) + 1)
    }

    /// The rotated files to delete before a new one is added, so that with the live file at most
    /// `maxFiles` remain (the kubelet's `removeExcessLogs`).
    public static func excess(_ names: [String], base: String, maxFiles: Int) -> [String] {
        let ordered = rotated(names, base: base)
        let keep = max(maxFiles - 2, 0)
        return Array(ordered.prefix(max(ordered.count - keep, 0)))
    }
}

extension LaunchSpec {
    func encodeLogRotation(into file: inout KeyValueFile) {
        guard let r = logRotation else { return }
        file.append("logMaxSize", String(r.maxSize))
        file.append("logMaxFiles", String(r.maxFiles))
    }

    static func decodeLogRotation(_ file: KeyValueFile) throws(DecodeError) -> ContainerLogFiles.Rotation? {
        guard let size = file.first("logMaxSize") else { return nil }
        guard let maxSize = Int64(size), maxSize >= 0 else { throw DecodeError.invalid("logMaxSize", size) }
        let files = file.first("logMaxFiles") ?? "5"
        guard let maxFiles = Int(files), maxFiles >= 2 else { throw DecodeError.invalid("logMaxFiles", files) }
        return ContainerLogFiles.Rotation(maxSize: maxSize, maxFiles: maxFiles)
    }
}
