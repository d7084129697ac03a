/// Readers for the two value formats of cgroupfs interface files that stats need.
extension CgroupFiles {
    /// A single-value file ("12345\n"); nil when missing, unreadable or not a number (e.g. "max").
    static func readUInt64(_ path: String) -> UInt64? {
        guard let text = (try? readIfPresent(path)) ?? nil else { return nil }
        return UInt64(text.trimmedWhitespace())
    }

    /// A flat keyed file ("key value" per line: memory.stat, cpu.stat, memory.events, memory.oom_control);
    /// empty when missing. Lines that do not parse are skipped: kernels add keys over time.
    static func readKeyed(_ path: String) -> [String: UInt64] {
        guard let text = (try? readIfPresent(path)) ?? nil else { return [:] }
        return parseKeyed(text)
    }

    static func parseKeyed(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, let value = UInt64(fields[1]) else { continue }
            values[String(fields[0])] = value
        }
        return values
    }
}
