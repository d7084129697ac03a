import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// A failed system call: which call, on what (path, pid, stage), and the errno.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var call: String
    public var subject: String
    public var errno: Int32

    public init(_ call: String, _ subject: String = "", errno: Int32 = swl_errno()) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return subject.isEmpty ? "\(call): \(reason)" : "\(call) \(subject): \(reason)"
    }
}

/// Runs a system call, retrying on EINTR, and throws `SystemError` naming the call and subject
/// when it returns -1.
@discardableResult
@inline(__always)
public func syscallRetrying<T: FixedWidthInteger>(
    _ call: String, _ subject: @autoclosure () -> String = "", _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let err = swl_errno()
        if err == EINTR { continue }
        throw SystemError(call, subject(), errno: err)
    }
}
