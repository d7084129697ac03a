/// The line format of every file the agent, swiftlet-pause and swiftlet-init exchange:
/// `key=value` per line, keys may repeat (lists), values escape `\` as `\\` and newline as `\n`.
/// Chosen over JSON because the per-pod processes are Foundation-free and must parse it in
/// a few microseconds with no allocation-heavy decoder.
public struct KeyValueFile: Hashable, Sendable {
    public private(set) var entries: [(key: String, value: String)] = []

    public init() {}

    public static func == (a: KeyValueFile, b: KeyValueFile) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for e in entries {
            hasher.combine(e.key)
            hasher.combine(e.value)
        }
    }

    public mutating func append(_ key: String, _ value: String) {
        entries.append((key, value))
    }

    public func first(_ key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    public func all(_ key: String) -> [String] {
        entries.filter { $0.key == key }.map { $0.value }
    }

    public func encoded() -> String {
        var out = ""
        for (key, value) in entries {
            out += key
            out += "="
            for ch in value.unicodeScalars {
                switch ch {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(ch)
                }
            }
            out += "\n"
        }
        return out
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var description: String { "line \(line): expected key=value" }
    }

    public init(parsing text: String) throws(ParseError) {
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            lineNumber += 1
            guard let eq = line.firstIndex(of: "=") else { throw ParseError(line: lineNumber) }
            let key = String(line[..<eq])
            var value = ""
            var escaping = false
            for ch in line[line.index(after: eq)...].unicodeScalars {
                if escaping {
                    value.unicodeScalars.append(ch == "n" ? "\n" : ch)
                    escaping = false
                } else if ch == "\\" {
                    escaping = true
                } else {
                    value.unicodeScalars.append(ch)
                }
            }
            entries.append((key, value))
        }
    }
}
