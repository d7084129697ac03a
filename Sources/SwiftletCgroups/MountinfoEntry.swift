/// One line of /proc/<pid>/mountinfo, reduced to what cgroup detection needs.
///
/// Format (proc(5)): `id parent major:minor root mountpoint options [optional...] - fstype source superoptions`.
struct MountinfoEntry: Sendable, Equatable {
    let mountPoint: String
    let filesystemType: String
    let superOptions: [String]

    init?(line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 7, let separator = fields.firstIndex(of: "-"), separator >= 6,
              separator + 1 < fields.count
        else { return nil }
        mountPoint = Self.unescape(fields[4])
        filesystemType = String(fields[separator + 1])
        superOptions = separator + 3 < fields.count
            ? fields[separator + 3].split(separator: ",").map(String.init)
            : []
    }

    static func parse(_ text: String) -> [MountinfoEntry] {
        text.split(whereSeparator: \.isNewline).compactMap { MountinfoEntry(line: $0) }
    }

    /// The kernel writes space, tab, newline and backslash in paths as 3-digit octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 4 <= raw.count,
               let value = UInt8(String(decoding: raw[(index + 1)..<(index + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
