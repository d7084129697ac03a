import Foundation
import SwiftletCNI
import SwiftletKube
import SwiftletLaunch
import SwiftletSystem

/// The pod network through CNI. The pause process creates the network namespace; the runtime
/// pins it by bind-mounting `/proc/<pause>/ns/net` onto `network/netns` in the pod's run
/// directory, so DEL still finds it after the pause process died, and runs the plugins.
extension PodRuntime {
    /// The interface name the pod's network is attached as (the kubelet's default).
    public static let podInterfaceName = "eth0"

    var cniLocator: CNIConfigDirectory {
        CNIConfigDirectory(confDirectory: configuration.cniConfDirectory, binDirectories: configuration.cniBinDirectories)
    }

    func networkDirectory(uid: String) -> String { runDirectory(uid: uid).path + "/network" }
    func netnsFile(uid: String) -> String { networkDirectory(uid: uid) + "/netns" }
    func attachmentFile(uid: String) -> String { networkDirectory(uid: uid) + "/attachment.json" }

    func loadAttachment(uid: String) -> PodNetworkAttachment? {
        guard let data = FileManager.default.contents(atPath: attachmentFile(uid: uid)) else { return nil }
        return try? KubeJSON.decode(PodNetworkAttachment.self, from: data)
    }

    func saveAttachment(_ attachment: PodNetworkAttachment, uid: String) throws {
        try FileIO.writeAtomically(
            attachmentFile(uid: uid), String(decoding: try KubeJSON.encode(attachment), as: UTF8.self), mode: 0o600)
    }

    /// Attaches the sandbox of `pod` (pause process `pausePID`) to the configured network and
    /// returns its IPs; none when no CNI configuration exists (loopback only). A failed ADD is
    /// undone (DEL) before the error is thrown, as containerd does.
    func setUpNetwork(pod: Pod, pausePID: Int32, skipped: inout [String]) throws(RuntimeError) -> [String] {
        let uid = pod.uid
        // Whatever an earlier attempt left behind is released first.
        try tearDownNetwork(uid: uid)
        let selection: CNIConfigDirectory.Selection
        do {
            let found = try cniLocator.select()
            selection = found.selection
            skipped = found.skipped.map { "skipped CNI configuration \($0.file): \($0.reason)" }
        } catch {
            throw RuntimeError("CreatePodSandboxError", "failed to setup network for sandbox \"\(uid)\": \(error)")
        }
        guard case .network(let list) = selection else { return [] }
        let netns = netnsFile(uid: uid)
        let runtimeConf: CNIRuntimeConf
        do {
            try FileIO.makeDirectories(networkDirectory(uid: uid), mode: 0o700)
            try FileIO.write(netns, "", mode: 0o400)
            try Mount.bind(source: "/proc/\(pausePID)/ns/net", target: netns)
            runtimeConf = CNIRuntimeConf(
                containerID: uid, netns: netns, ifName: Self.podInterfaceName,
                args: PodNetworkParameters.args(pod: pod, containerID: uid),
                capabilityArgs: try PodNetworkParameters.capabilityArgs(pod: pod))
            // Recorded before ADD: a crash in the middle still leaves what DEL needs.
            try saveAttachment(PodNetworkAttachment(config: list.json, runtime: runtimeConf, result: nil), uid: uid)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError("CreatePodSandboxError", "failed to setup network for sandbox \"\(uid)\": \(error)")
        }
        let network = CNINetwork(list: list, locator: cniLocator)
        let result: CNIResult
        do { result = try network.add(runtimeConf) } catch {
            try? tearDownNetwork(uid: uid)
            throw RuntimeError("CreatePodSandboxError", "failed to setup network for sandbox \"\(uid)\": \(error)")
        }
        do {
            try saveAttachment(PodNetworkAttachment(config: list.json, runtime: runtimeConf, result: result.json), uid: uid)
        } catch {
            try? tearDownNetwork(uid: uid)
            throw RuntimeError("CreatePodSandboxError", "failed to record the network of sandbox \"\(uid)\": \(error)")
        }
        return result.podIPs(interface: Self.podInterfaceName)
    }

    /// DEL with the configuration ADD used, then unpins the namespace. Idempotent: without a
    /// record there is nothing to do; a failed DEL keeps record and namespace for the next try.
    public func tearDownNetwork(uid: String) throws(RuntimeError) {
        let netns = netnsFile(uid: uid)
        if let attachment = loadAttachment(uid: uid) {
            do {
                let list = try NetworkConfigList.parse(try KubeJSON.encode(attachment.config), isList: true)
                try CNINetwork(list: list, locator: cniLocator).delete(attachment.runtime, cachedResult: attachment.result)
            } catch {
                throw RuntimeError("KillPodSandboxError", "failed to destroy network for sandbox \"\(uid)\": \(error)")
            }
        }
        do {
            try Mount.unmount(netns)
            try FileIO.removeTree(networkDirectory(uid: uid))
        } catch {
            throw RuntimeError("KillPodSandboxError", "failed to remove the network namespace of sandbox \"\(uid)\": \(error)")
        }
    }

    /// CHECK of a re-adopted sandbox's network against its cached result (the pods keep running
    /// whatever it says; the caller reports a failure).
    public func checkNetwork(uid: String) throws(RuntimeError) {
        guard let attachment = loadAttachment(uid: uid), attachment.result != nil else { return }
        do {
            let list = try NetworkConfigList.parse(try KubeJSON.encode(attachment.config), isList: true)
            try CNINetwork(list: list, locator: cniLocator).check(attachment.runtime, cachedResult: attachment.result)
        } catch {
            throw RuntimeError("FailedCheckPodNetwork", "network check of sandbox \"\(uid)\" failed: \(error)")
        }
    }

    // Whether the network is ready and the pod's IPs: `sandboxRecord(uid:)`, read once per sandbox.
}
