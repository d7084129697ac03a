import SwiftletSystem

/// One physical line of a CRI log file: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`
/// (`k8s.io/kubernetes/pkg/kubelet/kuberuntime/logs` `parseCRILog`).
public struct CRILogLine: Equatable, Sendable {
    public var timestamp: String
    public var stream: String
    /// `P`: the runtime split a long line and more of it follows.
    public var partial: Bool
    public var content: [UInt8]

    /// Returns nil for a line that is not in CRI format; the reader skips those instead of failing the request.
    public static func parse(_ line: ArraySlice<UInt8>) -> CRILogLine? {
        var fields: [ArraySlice<UInt8>] = []
        var rest = line
        for _ in 0..<3 {
            guard let space = rest.firstIndex(of: UInt8(ascii: " ")) else {
                // `<ts> <stream> F` with empty text and no trailing space still counts.
                if fields.count == 2 { fields.append(rest); rest = rest[rest.endIndex...]; break }
                return nil
            }
            fields.append(rest[rest.startIndex..<space])
            rest = rest[(space + 1)...]
        }
        guard fields.count == 3 else { return nil }
        let tag = String(decoding: fields[2], as: UTF8.self)
        let stream = String(decoding: fields[1], as: UTF8.self)
        guard stream == "stdout" || stream == "stderr" else { return nil }
        // Tags are `:`-separated; only the first (P or F) carries meaning today.
        let first = tag.split(separator: ":").first.map(String.init) ?? ""
        guard first == "P" || first == "F" else { return nil }
        return CRILogLine(
            timestamp: String(decoding: fields[0], as: UTF8.self), stream: stream, partial: first == "P",
            content: Array(rest))
    }
}

/// Turns physical CRI lines into the log text users see: partial lines are joined (the kubelet's
/// `ReadLogs`), each logical line ends in `\n`, `timestamps` prefixes the first fragment's time, and
/// lines stamped before `since` are left out.
public struct CRILogAssembler: Sendable {
    public var timestamps: Bool
    public var since: WallTime?
    private var pendingTimestamp: String?
    private var pending: [UInt8] = []
    /// Bytes after the last newline of the previous chunk of the file.
    private var carry: [UInt8] = []

    public init(timestamps: Bool, since: WallTime? = nil) {
        self.timestamps = timestamps
        self.since = since
    }

    private func isBeforeSince(_ timestamp: String) -> Bool {
        guard let since else { return false }
        // An unreadable time stamp is kept: dropping lines silently is worse than showing an extra one.
        guard let t = RFC3339.parse(timestamp) else { return false }
        return (t.seconds, t.nanoseconds) < (since.seconds, since.nanoseconds)
    }

    /// Feeds raw file bytes; returns the complete logical lines they finish.
    public mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
        carry.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = carry.startIndex
        while let newline = carry[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if let parsed = CRILogLine.parse(carry[start..<newline]) {
                if pending.isEmpty && pendingTimestamp == nil { pendingTimestamp = parsed.timestamp }
                pending.append(contentsOf: parsed.content)
                if !parsed.partial, let ts = pendingTimestamp, isBeforeSince(ts) {
                    pending = []
                    pendingTimestamp = nil
                } else if !parsed.partial {
                    var line: [UInt8] = []
                    if timestamps, let ts = pendingTimestamp { line = Array(ts.utf8) + [UInt8(ascii: " ")] }
                    line.append(contentsOf: pending)
                    line.append(UInt8(ascii: "\n"))
                    lines.append(line)
                    pending = []
                    pendingTimestamp = nil
                }
            }
            start = newline + 1
        }
        carry.removeSubrange(carry.startIndex..<start)
        return lines
    }
}
