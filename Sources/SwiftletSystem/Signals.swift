import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// A signalfd for the given signals, which are blocked for normal delivery.
/// Single-threaded processes only (swiftlet-pause): blocking is per thread.
public struct SignalDescriptor {
    public let fd: Int32

    public init(signals: [Int32]) throws(SystemError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in signals { sigaddset(&mask, s) }
        sigprocmask(SIG_BLOCK, &mask, nil)
        fd = try syscallRetrying("signalfd") { swl_signalfd(&mask) }
    }

    /// Reads pending signals without blocking.
    public func drain() -> [Int32] {
        var out: [Int32] = []
        while true {
            let signo = swl_signalfd_read(fd)
            if signo < 0 { break }
            out.append(signo)
        }
        return out
    }
}

/// Decoded wait(2) status.
public enum ExitStatus: Hashable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus status: Int32) {
        if swl_wifsignaled(status) != 0 {
            self = .signaled(swl_wtermsig(status))
        } else {
            self = .exited(swl_wexitstatus(status))
        }
    }

    /// The shell convention Kubernetes reports: 128 + signal for a killed process.
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let sig): return 128 + sig
        }
    }

    public var signal: Int32? {
        if case .signaled(let sig) = self { return sig }
        return nil
    }
}

/// The controlling terminal of the CLI (`swiftlet exec -t`).
public enum Terminal {
    /// Columns and rows of the terminal on `fd`; nil when it is not a terminal.
    public static func size(_ fd: Int32) -> (columns: UInt16, rows: UInt16)? {
        var rows: UInt16 = 0
        var cols: UInt16 = 0
        guard swl_get_winsize(fd, &rows, &cols) == 0 else { return nil }
        return (cols, rows)
    }

    /// Puts the terminal on `fd` in raw mode (keys go through unprocessed, the remote side echoes);
    /// returns the previous settings for `restore`.
    public static func makeRaw(_ fd: Int32) -> termios? {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else { return nil }
        return saved
    }

    public static func restore(_ fd: Int32, _ settings: termios) {
        var copy = settings
        _ = tcsetattr(fd, TCSADRAIN, &copy)
    }
}
