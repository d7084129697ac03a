#if canImport(Glibc)
import Glibc
#endif

/// Everything a cgroup driver can fail with; each case names the path it is about so that an operator
/// can look at the exact file the kernel refused.
public enum CgroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A cgroup path that is absolute-looking after normalisation, empty, or walks out of the hierarchy ("..").
    case invalidPath(String)
    /// No usable cgroup v1 controller mount and no cgroup2 mount below `root`.
    case noCgroupMount(root: String, mountinfo: String)
    case readFailed(path: String, errno: Int32)
    case writeFailed(path: String, value: String, errno: Int32)
    case createFailed(path: String, errno: Int32)
    case removeFailed(path: String, errno: Int32)
    /// A limit was asked for whose v1 controller has no mounted hierarchy (`file` is the interface file it needs).
    case controllerNotMounted(controller: String, file: String)

    public var description: String {
        switch self {
        case .invalidPath(let path):
            return "invalid cgroup path \"\(path)\": must be relative, non-empty and without \".\" or \"..\" components"
        case .noCgroupMount(let root, let mountinfo):
            return "no cgroup v1 controller or cgroup2 mount below \(root) (read \(mountinfo))"
        case .readFailed(let path, let code):
            return "read \(path): \(Self.message(code))"
        case .writeFailed(let path, let value, let code):
            return "write \"\(value)\" to \(path): \(Self.message(code))"
        case .createFailed(let path, let code):
            return "mkdir \(path): \(Self.message(code))"
        case .removeFailed(let path, let code):
            return "rmdir \(path): \(Self.message(code))"
        case .controllerNotMounted(let controller, let file):
            return "cannot write \(file): cgroup v1 controller \"\(controller)\" is not mounted"
        }
    }

    private static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
