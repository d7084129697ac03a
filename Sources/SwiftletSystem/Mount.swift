import CSwiftletShim
import Glibc

/// Mount operations the agent performs in the host mount namespace (container roots, pod /dev/shm).
public enum Mount {
    public static func overlay(lower: [String], upper: String, work: String, target: String) throws {
        let options = "lowerdir=\(lower.joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        try syscallRetrying("mount overlay", target) { swl_mount("overlay", target, "overlay", 0, options) }
    }

    public static func tmpfs(target: String, options: String, noexec: Bool = false) throws {
        let flags = SWL_MS_NOSUID | SWL_MS_NODEV | (noexec ? SWL_MS_NOEXEC : 0)
        try syscallRetrying("mount tmpfs", target) { swl_mount("tmpfs", target, "tmpfs", flags, options) }
    }

    /// Bind mount of a file or directory (e.g. /proc/PID/ns/net onto a file, which keeps the
    /// network namespace alive after its last process is gone).
    public static func bind(source: String, target: String) throws {
        try syscallRetrying("mount bind", "\(source) on \(target)") { swl_mount(source, target, nil, SWL_MS_BIND, nil) }
    }

    /// Lazy unmount: the mount disappears from the tree now even if something still holds it.
    /// Not mounted (EINVAL) and missing (ENOENT) are fine.
    public static func unmount(_ target: String) throws {
        if swl_umount2(target, SWL_MNT_DETACH) != 0 {
            let err = swl_errno()
            if err == EINVAL || err == ENOENT { return }
            throw SystemError("umount", target, errno: err)
        }
    }

    /// Whether a filesystem other than its parent directory's is mounted on `path` (a tmpfs or an
    /// overlay): two lstat calls, where `mountPoints(under:)` reads the whole mount table, which
    /// grows by a few lines with every pod. A bind mount from the same filesystem is not seen.
    public static func isMountedFilesystem(_ path: String) -> Bool {
        var st = stat(), parent = stat()
        guard lstat(path, &st) == 0, lstat(path + "/..", &parent) == 0 else { return false }
        return st.st_dev != parent.st_dev
    }

    /// `FileIO.removeTree` for trees that may hold mounts nobody recorded: the removal refuses to
    /// cross into another filesystem and the kernel refuses to remove a mount point (both EBUSY);
    /// only then is the mount table read, everything at or below `path` unmounted, and the removal
    /// repeated. Callers unmount the mounts they made themselves first, so the table, which grows
    /// with every pod, is not read for every pod removed.
    public static func removeTreeUnmounting(_ path: String) throws {
        do {
            try FileIO.removeTree(path)
        } catch {
            // (Not `catch let error as SystemError where ...`: with removeTree's typed throws that
            // pattern crashes Swift 6.3's MandatoryAllocBoxToStack pass.)
            guard error.errno == EBUSY else { throw error }
            for point in mountPoints(under: path) { try unmount(point) }
            try FileIO.removeTree(path)
        }
    }

    /// Mount points at or below `prefix`, deepest first (the order to unmount them), from /proc/self/mountinfo.
    public static func mountPoints(under prefix: String) -> [String] {
        guard let text = try? FileIO.readString("/proc/self/mountinfo") else { return [] }
        var points: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let point = unescapeOctal(String(fields[4]))
            if point == prefix || point.hasPrefix(prefix + "/") { points.append(point) }
        }
        return points.sorted { $0.count > $1.count }
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescapeOctal(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 92, i + 3 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
