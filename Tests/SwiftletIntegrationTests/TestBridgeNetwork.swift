import Foundation
import XCTest

/// A CNI network that lives only inside this machine: a bridge the test creates (unique name,
/// with the gateway address so the host reaches pods), a private /24, bridge + host-local IPAM
/// (allocations under the test's directory) + portmap, no masquerade, no route anywhere else.
final class TestBridgeNetwork {
    let bridge: String
    let prefix: String
    let ipamDir: String
    let confFile: String
    /// A unique-local /64 (`fdXX:XXXX:XXXX::`) when the network is dual-stack.
    var ipv6Prefix: String?

    var gateway: String { prefix + ".1" }

    init(harness: DaemonHarness, plugins extra: String = "") throws {
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        bridge = "swlt" + id.prefix(10)
        let routes = (try? DaemonHarness.runTool("/usr/sbin/ip", ["-4", "route", "show", "table", "all"])) ?? ""
        var candidate = ""
        repeat {
            candidate = "10.\(Int.random(in: 200...250)).\(Int.random(in: 0...255))"
        } while routes.contains(candidate + ".")
        prefix = candidate
        // Outside the harness directory, which its teardown removes before the IPAM check runs.
        ipamDir = "/tmp/swiftlet-it-ipam-" + id
        confFile = harness.cniConfDir + "/10-test.conflist"
        try DaemonHarness.runTool("/usr/sbin/ip", ["link", "add", bridge, "type", "bridge"])
        // A fixed address: otherwise the bridge takes its ports' lowest MAC, which changes as pods
        // come and go, and the bridge plugin's CHECK (which compares it) fails.
        let mac = "02:" + (0..<5).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined(separator: ":")
        try DaemonHarness.runTool("/usr/sbin/ip", ["link", "set", bridge, "address", mac])
        try DaemonHarness.runTool("/usr/sbin/ip", ["addr", "add", gateway + "/24", "dev", bridge])
        try DaemonHarness.runTool("/usr/sbin/ip", ["link", "set", bridge, "up"])
        try write(extraPlugins: extra)
    }

    /// The conflist: bridge (no gateway on it from the plugin: the test assigned it; no masquerade),
    /// host-local with its store in the test directory, portmap for hostPorts.
    func write(extraPlugins: String = "", name: String = "testnet") throws {
        let v6 = ipv6Prefix.map { #", [{"subnet": "\#($0)/64", "gateway": "\#($0)1"}]"# } ?? ""
        let text = """
            {"cniVersion": "1.0.0", "name": "\(name)", "plugins": [
              {"type": "bridge", "bridge": "\(bridge)", "isGateway": false, "ipMasq": false, "hairpinMode": true,
               "ipam": {"type": "host-local", "dataDir": "\(ipamDir)",
                        "ranges": [[{"subnet": "\(prefix).0/24", "gateway": "\(gateway)"}]\(v6)]}},
              {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}\(extraPlugins)
            ]}
            """
        try text.write(toFile: confFile + ".tmp", atomically: false, encoding: .utf8)
        guard rename(confFile + ".tmp", confFile) == 0 else { throw HarnessError("rename \(confFile) failed") }
    }

    /// Makes the network dual-stack: an IPv6 range beside the IPv4 one, the bridge holding its gateway.
    func addIPv6() throws {
        let hex = { String(UInt16.random(in: 0...UInt16.max), radix: 16) }
        let v6 = "fd\(String(UInt8.random(in: 0...255), radix: 16)):\(hex()):\(hex())::"
        ipv6Prefix = v6
        try DaemonHarness.runTool("/usr/sbin/ip", ["-6", "addr", "add", v6 + "1/64", "dev", bridge, "nodad"])
        try write()
    }

    /// Interfaces enslaved to the bridge (the host ends of pod veths).
    var attachedInterfaces: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net/\(bridge)/brif")) ?? []
    }

    /// host-local's reservations: one file per allocated IP (besides its lock and last-reserved files).
    var allocatedIPs: [String] {
        let dir = ipamDir + "/testnet"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { name in
            name.hasPrefix(prefix + ".") || (ipv6Prefix.map { name.hasPrefix($0) } ?? false)
        }
    }

    /// What deleting every pod must have released; empty when nothing leaked.
    func leaks(harness: DaemonHarness, uids: [String]) -> [String] {
        var found: [String] = attachedInterfaces.map { "veth still on \(bridge): \($0)" }
        found += allocatedIPs.map { "IP still allocated: \($0)" }
        let netnsFiles = (FileManager.default.enumerator(atPath: harness.run)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix("/netns") }
        found += netnsFiles.map { "netns file left: \($0)" }
        let nat = (try? DaemonHarness.runTool("/usr/sbin/iptables-save", ["-t", "nat"])) ?? ""
        for uid in uids where nat.contains(uid) { found.append("iptables rule left for \(uid)") }
        return found
    }

    func remove() {
        _ = try? DaemonHarness.runTool("/usr/sbin/ip", ["link", "del", bridge])
        try? FileManager.default.removeItem(atPath: ipamDir)
    }
}
