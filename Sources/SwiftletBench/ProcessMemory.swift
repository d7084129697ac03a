import Foundation
import SwiftletSystem

/// Memory of one process as the kernel accounts it in /proc/PID/smaps_rollup (KiB).
struct ProcessMemory: Sendable {
    var pss: Double
    var rss: Double
    var privateDirty: Double

    /// nil when the process is gone or its smaps cannot be read.
    static func of(pid: Int32) -> ProcessMemory? {
        guard let text = try? FileIO.readString("/proc/\(pid)/smaps_rollup") else { return nil }
        var fields: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, parts[0].hasSuffix(":"), let kib = Double(parts[1]) else { continue }
            fields[String(parts[0].dropLast())] = kib
        }
        guard let pss = fields["Pss"], let rss = fields["Rss"] else { return nil }
        return ProcessMemory(pss: pss, rss: rss, privateDirty: fields["Private_Dirty"] ?? 0)
    }
}

/// Finds processes by their command line in /proc.
enum ProcessTable {
    static func commandLine(of pid: Int32) -> [String]? {
        guard let bytes = try? FileIO.read("/proc/\(pid)/cmdline", limit: 1 << 16), !bytes.isEmpty else { return nil }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    static func allPIDs() -> [Int32] { FileIO.list("/proc").compactMap { Int32($0) } }

    /// swiftlet-pause processes of this bench's daemon: argv[1] is the pod's run directory.
    static func pauseProcesses(runDirectory: String) -> [Int32] {
        allPIDs().filter { pid in
            guard let argv = commandLine(of: pid), argv.count >= 2 else { return false }
            return argv[0].hasSuffix("/swiftlet-pause") && argv[1].hasPrefix(runDirectory + "/")
        }
    }

    /// Children of `parent` whose comm is `name` (/proc/PID/stat: `pid (comm) state ppid …`).
    static func children(of parent: Int32, named name: String) -> [Int32] {
        allPIDs().filter { pid in
            guard let stat = try? FileIO.readString("/proc/\(pid)/stat"), let open = stat.firstIndex(of: "("),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let comm = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return comm == name && fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}
