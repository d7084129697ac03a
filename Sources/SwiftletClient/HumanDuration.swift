import Foundation
import SwiftletKube

/// kubectl's ages: `k8s.io/apimachinery/pkg/util/duration.HumanDuration`, precision falling as time grows.
public enum HumanDuration {
    public static func format(_ interval: TimeInterval) -> String {
        // Go truncates toward zero (`int(d.Seconds())`); a clock up to 2 s behind still reads as "0s".
        let seconds = Int64(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// kubectl's `translateTimestampSince`: `<unknown>` for a missing time.
    public static func since(_ time: KubeTime?, now: Date) -> String {
        guard let time else { return "<unknown>" }
        return format(now.timeIntervalSince(time.date))
    }
}
