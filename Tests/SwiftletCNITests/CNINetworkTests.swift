import Foundation
import SwiftletCNI
import SwiftletKube
import XCTest

/// Real plugin processes (small shell scripts) driven through the CNI exec protocol.
final class CNINetworkTests: XCTestCase {
    var root = ""
    var bin = ""
    var conf = ""
    var calls = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "swiftlet-cni-\(UUID().uuidString)"
        bin = root + "/bin"
        conf = root + "/net.d"
        calls = root + "/calls"
        for dir in [bin, conf, calls] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A plugin that records each call (environment and stdin) and answers ADD with `result`.
    func recordingPlugin(_ name: String, ip: String) throws {
        try plugin(name, """
            input=$(cat)
            n=$(ls "\(calls)" | wc -l)
            n=$(printf '%03d' $n)
            printf '%s|%s|%s|%s|%s|%s' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_ARGS" "$CNI_PATH" > "\(calls)/$n.\(name).env"
            printf '%s' "$input" > "\(calls)/$n.\(name).stdin"
            if [ "$CNI_COMMAND" = ADD ]; then
              printf '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"%s"}],"ips":[{"address":"\(ip)/24","interface":0}]}' "$CNI_NETNS"
            fi
            """)
    }

    func plugin(_ name: String, _ body: String) throws {
        let path = bin + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    func recordedCalls() throws -> [(plugin: String, env: [String], stdin: JSONValue)] {
        try FileManager.default.contentsOfDirectory(atPath: calls).filter { $0.hasSuffix(".env") }.sorted().map { file in
            let base = String(file.dropLast(4))
            let env = try String(contentsOfFile: calls + "/" + file, encoding: .utf8).components(separatedBy: "|")
            let stdin = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: calls + "/" + base + ".stdin")))
            return (String(base.split(separator: ".")[1]), env, stdin)
        }
    }

    var runtime: CNIRuntimeConf {
        CNIRuntimeConf(
            containerID: "uid-1", netns: "/run/x/netns", ifName: "eth0",
            args: [("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", "default"), ("K8S_POD_NAME", "web")],
            capabilityArgs: ["portMappings": .array([.object(["hostPort": .int(18080)])])])
    }

    func network(_ plugins: String, version: String = "1.0.0") throws -> CNINetwork {
        let text = #"{"cniVersion": "\#(version)", "name": "testnet", "plugins": [\#(plugins)]}"#
        let list = try NetworkConfigList.parse(Data(text.utf8), isList: true)
        return CNINetwork(list: list, locator: CNIConfigDirectory(confDirectory: conf, binDirectories: [root + "/missing", bin]))
    }

    func testAddChainsPluginsInOrderAndDeleteRunsThemInReverse() throws {
        try recordingPlugin("alpha", ip: "10.9.0.5")
        try recordingPlugin("beta", ip: "10.9.0.7")
        let net = try network(#"{"type": "alpha"}, {"type": "beta", "capabilities": {"portMappings": true}}"#)
        let result = try net.add(runtime)
        XCTAssertEqual(result.podIPs(interface: "eth0"), ["10.9.0.7"], "the last plugin's result is the network's")

        var seen = try recordedCalls()
        XCTAssertEqual(seen.map(\.plugin), ["alpha", "beta"])
        XCTAssertEqual(
            seen[0].env, ["ADD", "uid-1", "/run/x/netns", "eth0", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web",
                          "\(root)/missing:\(bin)"])
        XCTAssertEqual(seen[0].stdin["name"], .string("testnet"))
        XCTAssertNil(seen[0].stdin["prevResult"])
        XCTAssertNil(seen[0].stdin["runtimeConfig"])
        XCTAssertEqual(seen[1].stdin["prevResult"]?["ips"], .array([.object(["address": .string("10.9.0.5/24"), "interface": .int(0)])]))
        XCTAssertEqual(seen[1].stdin["runtimeConfig"], .object(["portMappings": .array([.object(["hostPort": .int(18080)])])]))

        try net.check(runtime, cachedResult: result.json)
        try net.delete(runtime, cachedResult: result.json)
        seen = try recordedCalls()
        XCTAssertEqual(seen.map(\.plugin), ["alpha", "beta", "alpha", "beta", "beta", "alpha"])
        XCTAssertEqual(seen.map { $0.env[0] }, ["ADD", "ADD", "CHECK", "CHECK", "DEL", "DEL"])
        XCTAssertEqual(seen[4].stdin["prevResult"], result.json, "DEL gets the cached result from 0.4.0 on")
    }

    func testOldListsSkipCheckAndGetNoPrevResultOnDelete() throws {
        try recordingPlugin("alpha", ip: "10.9.0.5")
        let net = try network(#"{"type": "alpha"}"#, version: "0.3.1")
        let result = try net.add(runtime)
        try net.check(runtime, cachedResult: result.json)
        try net.delete(runtime, cachedResult: result.json)
        let seen = try recordedCalls()
        XCTAssertEqual(seen.map { $0.env[0] }, ["ADD", "DEL"])
        XCTAssertNil(seen[1].stdin["prevResult"])
    }

    /// The plugin's error object is the message, named like libcni names the plugin.
    func testAPluginErrorObjectBecomesTheFailure() throws {
        try recordingPlugin("alpha", ip: "10.9.0.5")
        try plugin("broken", #"cat >/dev/null; echo '{"cniVersion": "1.0.0", "code": 100, "msg": "bridge is broken", "details": "try later"}'; exit 1"#)
        let net = try network(#"{"type": "alpha"}, {"type": "broken"}, {"type": "alpha"}"#)
        XCTAssertThrowsError(try net.add(runtime)) { error in
            let failure = error as? CNIPluginFailure
            XCTAssertEqual(failure?.error.code, 100)
            XCTAssertEqual(
                failure?.description, #"plugin type="broken" name="testnet" failed (add): bridge is broken; try later"#)
        }
        XCTAssertEqual(try recordedCalls().count, 1, "the chain stops at the first failure")
    }

    func testFailuresWithoutAnErrorObjectUseLibcnisWording() throws {
        let cases: [(String, String)] = [
            ("cat >/dev/null; echo oops >&2; exit 2", #"netplugin failed: "oops\n""#),
            ("cat >/dev/null; exit 3", "netplugin failed with no error message: exit status 3"),
            ("cat >/dev/null; echo notjson; exit 1", #"netplugin failed but error parsing its diagnostic message "notjson\n": invalid JSON"#),
        ]
        for (i, (body, message)) in cases.enumerated() {
            try plugin("p\(i)", body)
            let net = try network(#"{"type": "p\#(i)"}"#)
            XCTAssertThrowsError(try net.add(runtime), body) { error in
                XCTAssertEqual((error as? CNIPluginFailure)?.error.msg, message)
            }
        }
    }

    func testAMissingPluginIsNamedWithTheSearchPath() throws {
        let net = try network(#"{"type": "nonesuch"}"#)
        XCTAssertThrowsError(try net.add(runtime)) { error in
            XCTAssertEqual(
                (error as? CNIPluginFailure)?.error.msg, "failed to find plugin \"nonesuch\" in path [\(root)/missing \(bin)]")
        }
    }

    func testAHungPluginIsKilledAtTheDeadline() throws {
        try plugin("hang", "exec sleep 30")
        var net = try network(#"{"type": "hang"}"#)
        net.executor.timeoutSeconds = 0.3
        XCTAssertThrowsError(try net.add(runtime)) { error in
            XCTAssertTrue((error as? CNIPluginFailure)?.error.msg.contains("did not finish") ?? false, "\(error)")
        }
    }

    /// The lowest-sorting usable file wins; broken files and lists with missing plugins are skipped.
    func testTheConfigDirectoryPicksTheFirstUsableFileInNameOrder() throws {
        try recordingPlugin("alpha", ip: "10.9.0.5")
        let locator = CNIConfigDirectory(confDirectory: conf, binDirectories: [bin])
        XCTAssertEqual(try locator.select().selection, .none, "no files: loopback only")

        try #"{"name": "later", "cniVersion": "1.0.0", "plugins": [{"type": "alpha"}]}"#
            .write(toFile: conf + "/20-later.conflist", atomically: true, encoding: .utf8)
        try "{broken".write(toFile: conf + "/05-broken.conflist", atomically: true, encoding: .utf8)
        try #"{"name": "nobin", "cniVersion": "1.0.0", "plugins": [{"type": "nonesuch"}]}"#
            .write(toFile: conf + "/10-nobin.conflist", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: conf + "/00-readme.txt", atomically: true, encoding: .utf8)
        let (selection, skipped) = try locator.select()
        guard case .network(let list) = selection else { return XCTFail("expected a network, got \(selection)") }
        XCTAssertEqual(list.name, "later")
        XCTAssertEqual(skipped.map { ($0.file as NSString).lastPathComponent }, ["05-broken.conflist", "10-nobin.conflist"])

        try #"{"name": "single", "type": "alpha"}"#.write(toFile: conf + "/01-single.conf", atomically: true, encoding: .utf8)
        guard case .network(let single) = try locator.select().selection else { return XCTFail() }
        XCTAssertEqual(single.name, "single")

        for file in ["01-single.conf", "20-later.conflist"] { try FileManager.default.removeItem(atPath: conf + "/" + file) }
        XCTAssertThrowsError(try locator.select()) { error in
            XCTAssertEqual((error as? CNIError)?.msg, "no valid networks found in \(conf)")
        }
    }
}
