import CSwiftletShim
import Glibc

/// Opens a path below a root directory without ever leaving it: each component is opened with
/// `openat(O_PATH|O_NOFOLLOW)` relative to the one before; symlinks are read and resolved by hand,
/// `..` never climbs above the root and absolute link targets are refused. The kubelet's subPath
/// protection (`doSafeOpen`) for a volume a container can write to.
public enum SafePath {
    /// `O_PATH` (Linux, every architecture swiftlet builds for); not exported by Swift's Glibc module.
    public static let oPath: Int32 = 0o10000000

    public struct EscapeError: Error, CustomStringConvertible {
        public var subPath: String
        public var root: String
        public var description: String { "subpath \"\(subPath)\" not within volume path \"\(root)\"" }
    }

    /// An `O_PATH` descriptor of `root/subPath` (the caller closes it). Missing directories are
    /// created (mode 0755) when `create` is true, as the kubelet creates missing subPaths.
    public static func open(root: String, subPath: String, create: Bool) throws -> Int32 {
        let rootFD = Glibc.open(root, oPath | O_CLOEXEC)
        guard rootFD >= 0 else { throw SystemError("open", root) }
        var stack: [Int32] = [rootFD]
        func closeAll() { for fd in stack { close(fd) } }
        var pending = components(subPath)
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." {
                guard stack.count > 1 else {
                    closeAll()
                    throw EscapeError(subPath: subPath, root: root)
                }
                close(stack.removeLast())
                continue
            }
            let parent = stack[stack.count - 1]
            var fd = openat(parent, name, oPath | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT && create {
                if mkdirat(parent, name, 0o755) != 0 && errno != EEXIST {
                    let error = SystemError("mkdir", root + "/" + subPath)
                    closeAll()
                    throw error
                }
                fd = openat(parent, name, oPath | O_NOFOLLOW | O_CLOEXEC)
            }
            guard fd >= 0 else {
                let error = SystemError("open", root + "/" + subPath)
                closeAll()
                throw error
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let error = SystemError("fstat", root + "/" + subPath)
                close(fd)
                closeAll()
                throw error
            }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                var buffer = [CChar](repeating: 0, count: 4097)
                let n = readlinkat(fd, "", &buffer, 4096)
                close(fd)
                guard links <= 40, n > 0 else {
                    closeAll()
                    throw SystemError("readlink", root + "/" + subPath, errno: links > 40 ? ELOOP : errno)
                }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") {
                    // Absolute targets name the host's (or the container's) tree, never the volume: refused,
                    // as the kubelet refuses a subPath whose resolved path leaves the volume.
                    closeAll()
                    throw EscapeError(subPath: subPath, root: root)
                }
                pending = components(target) + pending
                continue
            }
            stack.append(fd)
        }
        let result = stack.removeLast()
        closeAll()
        return result
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// `/proc/self/fd/N`: binding this mounts exactly the opened inode, whatever the path became since.
    public static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
}
