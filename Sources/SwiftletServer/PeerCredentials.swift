import Foundation
import NIOCore

/// Who is on the other end of an API connection: SO_PEERCRED, taken once when it is accepted,
/// plus the peer's supplementary groups from /proc (SO_PEERCRED carries only the primary one).
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }

    /// `struct ucred` (behind _GNU_SOURCE in glibc, so not importable): three 32-bit fields.
    struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { cred in
            PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid, groups: supplementaryGroups(of: cred.pid))
        }.recover { _ in nil }
    }

    static func supplementaryGroups(of pid: Int32) -> [UInt32] {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") })
        else { return [] }
        return line.dropFirst(7).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
    }
}

/// Who may do what on the socket: anyone who can connect may read; writes (create, replace,
/// delete) need root or membership of the admin group.
public struct SocketAccessPolicy: Sendable {
    public var adminGroup: UInt32?

    public init(adminGroup: UInt32?) { self.adminGroup = adminGroup }

    public func mayWrite(_ peer: PeerCredentials?) -> Bool {
        // Unknown peers (no credentials) are refused rather than trusted.
        guard let peer else { return false }
        if peer.uid == 0 { return true }
        guard let adminGroup else { return false }
        return peer.gid == adminGroup || peer.groups.contains(adminGroup)
    }
}
