import CSwiftletShim
import Glibc

// Apart from Spawn.swift, which swiftlet-pause compiles in (Embedded Swift has no ContinuousClock).
extension ProcessIdentity {
    /// Waits until the process has exited (a zombie counts as exited), at most `timeoutMilliseconds`;
    /// true when it is gone. A pidfd wakes us at the exit, so a teardown of many pods does not poll
    /// /proc every few milliseconds for each; without pidfd support (Linux < 5.3) it polls.
    public func waitForExit(timeoutMilliseconds: Int) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        let fd = swl_pidfd_open(pid)
        if fd < 0 {
            if swl_errno() == ESRCH { return true }
            while isAlive {
                if ContinuousClock.now >= deadline { return false }
                usleep(2000)
            }
            return true
        }
        defer { close(fd) }
        // Opened after the pid could have been reused: the start time says whether it is still ours.
        while isAlive {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            let milliseconds = min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, Int64(Int32.max))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(milliseconds)) < 0 && swl_errno() != EINTR { usleep(2000) }
        }
        return true
    }
}
