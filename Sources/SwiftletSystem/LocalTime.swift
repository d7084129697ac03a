import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// The local time zone as glibc has it: `TZ` from the environment, else `/etc/localtime` (what
/// Go's `time.Local` reads too, so a time the kubelet formats in local time matches).
public enum LocalTime {
    /// Seconds east of UTC of the local time zone at `seconds` since the epoch (0 when unknown).
    public static func utcOffset(atSeconds seconds: Int64) -> Int64 {
        var t = time_t(seconds)
        var parts = tm()
        guard localtime_r(&t, &parts) != nil else { return 0 }
        return Int64(parts.tm_gmtoff)
    }
}
