import Foundation

/// What systemd hands a service in its environment (sd_listen_fds(3), sd_watchdog_enabled(3)),
/// read without libsystemd.
struct SystemdActivation {
    /// The first passed socket (`SD_LISTEN_FDS_START` = 3).
    var listenDescriptor: CInt

    /// The socket passed by `swiftlet.socket`, if this process is the one it was meant for.
    /// The variables are removed so that nothing this process starts believes they are its own.
    static func fromEnvironment() -> SystemdActivation? {
        let env = ProcessInfo.processInfo.environment
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = env["LISTEN_PID"].flatMap({ Int32($0) }), pid == getpid(),
            let count = env["LISTEN_FDS"].flatMap({ Int($0) }), count >= 1
        else { return nil }
        // Close-on-exec: pods must never inherit the API socket.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        return SystemdActivation(listenDescriptor: 3)
    }

    /// `WatchdogSec=` as seconds, when it is meant for this process.
    static func watchdogPeriod() -> Double? {
        let env = ProcessInfo.processInfo.environment
        guard let usec = env["WATCHDOG_USEC"].flatMap({ UInt64($0) }), usec > 0 else { return nil }
        if let pid = env["WATCHDOG_PID"].flatMap({ Int32($0) }), pid != getpid() { return nil }
        return Double(usec) / 1e6
    }

    /// CLOCK_MONOTONIC in microseconds, as `RELOADING=1` wants it beside `MONOTONIC_USEC=`.
    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
