import Foundation
import SwiftletCNI
import SwiftletKube
import SwiftletSystem

/// What a pod's run directory says about its sandbox: the pause process it recorded, whether the
/// network is set up (CNI ADD succeeded, or no CNI) and creation completed, and the pod's IPs.
/// These files change only when the sandbox is created or stopped — by the pod's worker — so the
/// worker reads them once per sandbox and keeps this in memory instead of decoding the network
/// record on every sync. The files stay the truth across agent restarts and for teardown.
public struct SandboxRecord: Sendable, Hashable {
    public var pause: ProcessIdentity?
    public var networkReady: Bool
    public var complete: Bool
    public var podIPs: [String]

    public init(pause: ProcessIdentity?, networkReady: Bool, complete: Bool, podIPs: [String]) {
        self.pause = pause
        self.networkReady = networkReady
        self.complete = complete
        self.podIPs = podIPs
    }
}

extension PodRuntime {
    /// Reads the pod's `SandboxRecord`: the pause record, the network attachment (decoded once)
    /// and the marker of a complete sandbox.
    public func sandboxRecord(uid: String) -> SandboxRecord {
        let attachment = FileManager.default.contents(atPath: attachmentFile(uid: uid))
        let decoded = attachment.flatMap { try? KubeJSON.decode(PodNetworkAttachment.self, from: $0) }
        var ips: [String] = []
        if let json = decoded?.result, let result = try? CNIResult(parsing: json) {
            ips = result.podIPs(interface: Self.podInterfaceName)
        }
        return SandboxRecord(
            pause: recordedPause(uid: uid),
            // Without a record there is no CNI network to wait for; with one, ADD must have succeeded.
            networkReady: attachment == nil || decoded?.result != nil,
            complete: sandboxComplete(uid: uid), podIPs: ips)
    }
}
