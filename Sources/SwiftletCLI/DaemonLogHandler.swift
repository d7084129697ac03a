import Foundation
import Logging
import SwiftletKube

/// The daemon's log lines on stderr, one `write(2)` each so concurrent lines never interleave.
///
/// `text` under journald (`JOURNAL_STREAM` names our stderr) is `<N>message key=value`: the `<N>`
/// syslog priority prefix is how journald learns the level of a stream line, and journald adds
/// the time itself. On a terminal or a file, `text` starts with an RFC 3339 time and the level.
/// `json` is one object per line (`time`, `level`, `message`, then the metadata keys).
struct DaemonLogHandler: LogHandler {
    enum Format: Sendable { case text, journal, json }

    var metadata: Logger.Metadata = [:]
    let format: Format
    let label: String
    /// Shared by every handler of the process, so that a SIGHUP can change it.
    let level: LogLevelSetting

    var logLevel: Logger.Level {
        get { level.current }
        set { level.set(newValue) }
    }

    init(label: String, format: Format, level: LogLevelSetting) {
        self.label = label
        self.format = format
        self.level = level
    }

    /// `text` becomes `journal` when stderr is the journal stream systemd set up for us.
    static func format(named name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Format {
        if name == "json" { return .json }
        guard let stream = environment["JOURNAL_STREAM"] else { return .text }
        var info = stat()
        guard fstat(2, &info) == 0 else { return .text }
        return stream == "\(info.st_dev):\(info.st_ino)" ? .journal : .text
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.render(
            format: format, level: event.level, message: "\(event.message)", metadata: merged, time: Date())
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// syslog priorities as journald reads them (sd-daemon.h's SD_DEBUG ... SD_CRIT).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func render(format: Format, level: Logger.Level, message: String, metadata: Logger.Metadata, time: Date) -> String {
        let pairs = metadata.sorted { $0.key < $1.key }
        switch format {
        case .json:
            var object: [String: String] = ["time": KubeTime.formatNano(time), "level": level.rawValue, "message": message]
            for (key, value) in pairs where object[key] == nil { object[key] = "\(value)" }
            let data = (try? KubeJSON.encode(object)) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        case .journal, .text:
            var line = format == .journal ? "<\(priority(level))>" : "\(KubeTime.formatNano(time)) \(level.rawValue.uppercased()) "
            // One log record is one line: a message with newlines would split into several journal entries.
            line += message.replacingOccurrences(of: "\n", with: "\\n")
            for (key, value) in pairs { line += " \(key)=\(value)" }
            return line
        }
    }
}
