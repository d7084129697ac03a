import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

extension FileIO {
    /// Writes one line to an fd (stderr by default), ignoring errors: for last-resort diagnostics.
    public static func report(_ line: String, fd: Int32 = 2) {
        try? writeAll(fd, line + "\n", subject: "report")
    }
}

/// errno for callers that must not throw (hot loops, post-fork code).
@inline(__always)
public func swl_errno_value() -> Int32 { swl_errno() }
