/// Compression of rotated logs (the kubelet's container log manager, `rotateLog`): every rotated
/// file but the newest is gzipped to `<name>.gz` (written as `<name>.tmp`, renamed, then the plain
/// file removed). The newest one stays plain so a reader that was on the live file when it was
/// renamed can drain it. swiftlet-pause only renames; the agent compresses.
extension ContainerLogFiles {
    /// A file of a container's log directory, with its modification time (seconds).
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var modified: Int64

        public init(name: String, modified: Int64) {
            self.name = name
            self.modified = modified
        }
    }

    /// The kubelet compresses a file at the next rotation, a monitoring period (10 s) or more
    /// after it stopped being the newest. swiftlet waits as long after the newer file's last
    /// write (its rotation), so a follower that was on the live file has long moved past it.
    public static let compressionSettle: Int64 = 10

    /// `<attempt>.log` for any file of that attempt's log (`0.log`, `0.log.20261127-051500.gz`).
    public static func base(of name: String) -> String? {
        guard let dot = name.firstIndex(of: "."), name[..<dot].allSatisfy(\.isNumber), !name[..<dot].isEmpty,
            name[dot...].hasPrefix(".log")
        else { return nil }
        let base = String(name[..<dot]) + ".log"
        return name == base || name.hasPrefix(base + ".") ? base : nil
    }

    /// The kubelet's `cleanupUnusedLogs`: temporaries of an interrupted compression, and plain
    /// rotated files whose `.gz` already exists (compressed, but not yet removed).
    public static func unused(_ names: [String]) -> [String] {
        let present = Set(names)
        return names.filter { name in
            guard base(of: name) != nil else { return false }
            if name.hasSuffix(".tmp") { return true }
            return !name.hasSuffix(".gz") && present.contains(name + ".gz")
        }.sorted()
    }

    /// The plain rotated files to gzip now: per attempt, every one older than the newest rotated
    /// file, once that newest one was last written `compressionSettle` seconds before `now`.
    public static func compressible(_ entries: [Entry], now: Int64) -> [String] {
        let names = entries.map(\.name)
        let unused = Set(unused(names))
        let modified = Dictionary(entries.map { ($0.name, $0.modified) }, uniquingKeysWith: max)
        var result: [String] = []
        for base in Set(names.compactMap(base(of:))).sorted() {
            let ordered = rotated(names, base: base).filter { !unused.contains($0) }
            guard let newest = ordered.last, let settled = modified[newest], now - settled >= compressionSettle else {
                continue
            }
            result += ordered.dropLast().filter { !$0.hasSuffix(".gz") }
        }
        return result
    }
}
