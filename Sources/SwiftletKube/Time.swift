import Foundation
import SwiftletSystem

/// A point in time as the Kubernetes API writes it (`metav1.Time`): RFC 3339, UTC, whole seconds.
/// `MicroTime` precision is not needed for pod status.
public struct KubeTime: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }
    public static func now() -> KubeTime { KubeTime(Date()) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = KubeTime.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "invalid RFC 3339 time \"\(text)\"")
        }
        self.date = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String { KubeTime.format(date) }

    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date < rhs.date }

    public static func format(_ date: Date) -> String {
        RFC3339.format(seconds: Int64(date.timeIntervalSince1970.rounded(.down)), nanoseconds: nil)
    }

    /// RFC 3339 with nanoseconds, as CRI log lines and `--timestamps` use.
    public static func formatNano(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = Int64(interval.rounded(.down))
        return RFC3339.format(seconds: seconds, nanoseconds: Int64((interval - Double(seconds)) * 1_000_000_000))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    public static func parse(_ text: String) -> Date? {
        guard let (s, ns) = RFC3339.parse(text) else { return nil }
        return Date(timeIntervalSince1970: Double(s) + Double(ns) / 1e9)
    }
}
