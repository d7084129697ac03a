import Foundation
import SwiftletKube
import SwiftletSystem

/// The kubelet's `AtomicWriter` layout for configMap, secret, downwardAPI and projected volumes:
///
///     <dir>/..2026_11_27_03_10_00.123456789/<files>   the payload, written in full first
///     <dir>/..data -> ..2026_11_27_03_10_00.123456789 swapped with one rename(2)
///     <dir>/<key> -> ..data/<key>                      what the container opens
///
/// A reader that opens `<key>` resolves `..data` once, so it sees the old or the new payload,
/// never a mix or a half-written file.
enum AtomicWriter {
    static let dataLink = "..data"

    /// Writes `payload` unless the current payload is the same. Returns whether it wrote.
    static func write(_ dir: String, payload: [String: FileProjection], gid: UInt32?) throws -> Bool {
        let current = currentPayload(dir)
        if let current, current == payload.mapValues({ FileProjection(data: $0.data, mode: effectiveMode($0.mode, gid: gid)) }) {
            return false
        }
        let old = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + dataLink)
        let stamp = timestampDirectoryName()
        let staging = dir + "/" + stamp
        try FileIO.makeDirectories(staging, mode: 0o755)
        if let gid { _ = chown(staging, UInt32.max, gid) }
        for (path, file) in payload.sorted(by: { $0.key < $1.key }) {
            let full = staging + "/" + path
            let parent = (full as NSString).deletingLastPathComponent
            try FileIO.makeDirectories(parent, mode: 0o755)
            let mode = effectiveMode(file.mode, gid: gid)
            let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
            guard fd >= 0 else { throw SystemError("open", full) }
            defer { close(fd) }
            try FileIO.writeAll(fd, file.data, subject: full)
            if let gid { _ = fchown(fd, UInt32.max, gid) }
            _ = fchmod(fd, mode_t(mode))  // open(2) honours the umask
        }
        // The swap: a new symlink renamed over the old one.
        let tmpLink = dir + "/..data_tmp"
        unlink(tmpLink)
        guard symlink(stamp, tmpLink) == 0 else { throw SystemError("symlink", tmpLink) }
        guard rename(tmpLink, dir + "/" + dataLink) == 0 else { throw SystemError("rename", tmpLink) }
        // User-visible names: one symlink per top-level path element.
        let wanted = Set(payload.keys.map { String($0.split(separator: "/").first ?? "") })
        for name in FileIO.list(dir) where !name.hasPrefix("..") && !wanted.contains(name) {
            unlink(dir + "/" + name)
        }
        for name in wanted where !name.isEmpty {
            let link = dir + "/" + name
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == dataLink + "/" + name { continue }
            unlink(link)
            guard symlink(dataLink + "/" + name, link) == 0 else { throw SystemError("symlink", link) }
        }
        if let old, old != stamp, old.hasPrefix("..") { try? FileIO.removeTree(dir + "/" + old) }
        return true
    }

    /// With fsGroup the files become group-readable by it (the kubelet's `SetVolumeOwnership`
    /// with the read-only mask 0440).
    static func effectiveMode(_ mode: UInt32, gid: UInt32?) -> UInt32 {
        gid == nil ? mode & 0o7777 : (mode | 0o440) & 0o7777
    }

    /// The files under `..data` with their modes, or nil when there is no payload yet.
    static func currentPayload(_ dir: String) -> [String: FileProjection]? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + dataLink) else { return nil }
        let root = dir + "/" + target
        var out: [String: FileProjection] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return nil }
        while let relative = walker.nextObject() as? String {
            let full = root + "/" + relative
            var st = stat()
            guard lstat(full, &st) == 0 else { return nil }
            guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
            guard let bytes = try? FileIO.read(full) else { return nil }
            out[relative] = FileProjection(data: bytes, mode: UInt32(st.st_mode & 0o7777))
        }
        return out
    }

    static func timestampDirectoryName() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "..\(parts.tm_year + 1900)_\(two(parts.tm_mon + 1))_\(two(parts.tm_mday))_\(two(parts.tm_hour))_\(two(parts.tm_min))_"
            + "\(two(parts.tm_sec)).\(ts.tv_nsec)"
    }
}
