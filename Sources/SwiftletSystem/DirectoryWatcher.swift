import CSwiftletShim
import Glibc

/// inotify on directories: the static-pod manifest directory and every pod's status directory.
/// Thread-safe; `wait` is meant to be called from one dedicated thread.
public final class DirectoryWatcher: @unchecked Sendable {
    public struct Event: Sendable, Hashable {
        public var watch: Int32
        public var mask: UInt32
        public var name: String
    }

    // Linux ABI values from <sys/inotify.h>.
    /// Metadata changed (chmod, chown): a manifest made writable by others must be re-checked.
    public static let attrib: UInt32 = 0x4
    public static let closeWrite: UInt32 = 0x8
    public static let movedFrom: UInt32 = 0x40
    public static let movedTo: UInt32 = 0x80
    public static let create: UInt32 = 0x100
    public static let delete: UInt32 = 0x200
    public static let deleteSelf: UInt32 = 0x400
    public static let moveSelf: UInt32 = 0x800
    public static let overflow: UInt32 = 0x4000
    public static let ignored: UInt32 = 0x8000
    public static let onlyDirectory: UInt32 = 0x0100_0000

    private let fd: Int32

    public init() throws {
        fd = try syscallRetrying("inotify_init1") { swl_inotify_init() }
    }

    deinit { close(fd) }

    public func add(_ path: String, mask: UInt32) throws -> Int32 {
        try syscallRetrying("inotify_add_watch", path) { swl_inotify_add_watch(fd, path, mask | Self.onlyDirectory) }
    }

    public func remove(_ watch: Int32) {
        _ = swl_inotify_rm_watch(fd, watch)
    }

    /// Waits up to `timeoutMilliseconds` and returns what happened (possibly nothing).
    public func wait(timeoutMilliseconds: Int32) -> [Event] {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMilliseconds) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return [] }
        var events: [Event] = []
        var offset = 0
        // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[]; }
        while offset + 16 <= n {
            func u32(_ at: Int) -> UInt32 {
                UInt32(buffer[at]) | UInt32(buffer[at + 1]) << 8 | UInt32(buffer[at + 2]) << 16 | UInt32(buffer[at + 3]) << 24
            }
            let wd = Int32(bitPattern: u32(offset))
            let mask = u32(offset + 4)
            let len = Int(u32(offset + 12))
            let nameBytes = buffer[(offset + 16)..<min(offset + 16 + len, n)].prefix { $0 != 0 }
            events.append(Event(watch: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
            offset += 16 + len
        }
        return events
    }
}
