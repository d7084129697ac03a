import Foundation
import SwiftletCNI
import SwiftletKube
import XCTest

final class NetworkConfigListTests: XCTestCase {
    func testParsesAConflist() throws {
        let text = """
            {"cniVersion": "1.0.0", "name": "pods", "disableCheck": true, "plugins": [
              {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local", "subnet": "10.99.0.0/24"}},
              {"type": "portmap", "capabilities": {"portMappings": true, "bandwidth": false}}
            ]}
            """
        let list = try NetworkConfigList.parse(Data(text.utf8), isList: true, source: "10-pods.conflist")
        XCTAssertEqual(list.name, "pods")
        XCTAssertEqual(list.cniVersion, "1.0.0")
        XCTAssertTrue(list.disableCheck)
        XCTAssertEqual(list.plugins.map(\.type), ["bridge", "portmap"])
        XCTAssertEqual(list.plugins[1].capabilities, ["portMappings"])
        XCTAssertEqual(list.plugins[0].object["bridge"], .string("cni0"))
    }

    func testASingleConfBecomesAOnePluginList() throws {
        let text = #"{"cniVersion": "0.4.0", "name": "single", "type": "bridge", "bridge": "br9"}"#
        let list = try NetworkConfigList.parse(Data(text.utf8), isList: false)
        XCTAssertEqual(list.name, "single")
        XCTAssertEqual(list.cniVersion, "0.4.0")
        XCTAssertEqual(list.plugins.map(\.type), ["bridge"])
    }

    /// libcni's messages for broken files.
    func testRejectsBrokenConfigurationsWithLibcnisMessages() {
        let cases: [(String, Bool, String)] = [
            (#"{"plugins": [{"type": "bridge"}]}"#, true, "error parsing configuration list: no name"),
            (#"{"name": "x", "cniVersion": 4, "plugins": [{"type": "bridge"}]}"#, true,
             "error parsing configuration list: invalid cniVersion type"),
            (#"{"name": "x"}"#, true, "error parsing configuration list: no 'plugins' key"),
            (#"{"name": "x", "plugins": []}"#, true, "error parsing configuration list: no plugins in list"),
            (#"{"name": "x", "plugins": [{"bridge": "b"}]}"#, true, "error parsing configuration: missing 'type'"),
            (#"{"name": "x", "plugins": [{"type": "../../bin/sh"}]}"#, true, "invalid plugin type \"../../bin/sh\""),
            (#"{"name": "x", "plugins": [{"type": "bridge"}]}"#, false, "error parsing configuration: missing 'type'"),
            (#"{"type": "bridge"}"#, false, "error parsing configuration: missing 'name'"),
        ]
        for (text, isList, message) in cases {
            XCTAssertThrowsError(try NetworkConfigList.parse(Data(text.utf8), isList: isList), text) { error in
                XCTAssertEqual((error as? CNIError)?.msg, message, text)
            }
        }
        XCTAssertThrowsError(try NetworkConfigList.parse(Data("{not json".utf8), isList: true)) { error in
            XCTAssertEqual((error as? CNIError)?.code, CNIError.Code.decodingFailure)
        }
    }

    /// libcni's buildOneConfig: name and cniVersion injected, prevResult chained, runtimeConfig only
    /// for declared capabilities.
    func testPluginInputInjectsNameVersionPrevResultAndDeclaredCapabilities() throws {
        let text = """
            {"cniVersion": "1.0.0", "name": "pods", "plugins": [
              {"type": "bridge", "name": "ignored", "cniVersion": "0.1.0"},
              {"type": "portmap", "capabilities": {"portMappings": true}}
            ]}
            """
        let list = try NetworkConfigList.parse(Data(text.utf8), isList: true)
        let ports: JSONValue = .array([.object(["hostPort": .int(8080), "containerPort": .int(80), "protocol": .string("tcp")])])
        let caps: [String: JSONValue] = ["portMappings": ports, "bandwidth": .object(["ingressRate": .int(1000)])]
        let first = list.pluginInput(0, prevResult: nil, capabilityArgs: caps)
        XCTAssertEqual(first["name"], .string("pods"))
        XCTAssertEqual(first["cniVersion"], .string("1.0.0"))
        XCTAssertNil(first["prevResult"])
        XCTAssertNil(first["runtimeConfig"], "bridge declares no capability")
        let prev: JSONValue = .object(["cniVersion": .string("1.0.0"), "ips": .array([])])
        let second = list.pluginInput(1, prevResult: prev, capabilityArgs: caps)
        XCTAssertEqual(second["prevResult"], prev)
        XCTAssertEqual(second["runtimeConfig"], .object(["portMappings": ports]))
    }

    func testVersionsCompareNumerically() {
        XCTAssertEqual(CNIVersion.compare("0.4.0", "0.4.0"), 0)
        XCTAssertEqual(CNIVersion.compare("0.3.1", "0.4.0"), -1)
        XCTAssertEqual(CNIVersion.compare("1.0.0", "0.4.0"), 1)
        XCTAssertEqual(CNIVersion.compare("0.10.0", "0.4.0"), 1)
        XCTAssertEqual(CNIVersion.compare("", "0.1.0"), 0)
        XCTAssertTrue(NetworkConfigList(name: "n", cniVersion: "1.0.0", plugins: []).supportsCheck)
        XCTAssertFalse(NetworkConfigList(name: "n", cniVersion: "0.3.1", plugins: []).supportsCheck)
    }

    func testTheCachedFormRoundTrips() throws {
        let text = #"{"cniVersion": "1.0.0", "name": "pods", "plugins": [{"type": "bridge", "mtu": 1400}]}"#
        let list = try NetworkConfigList.parse(Data(text.utf8), isList: true)
        let again = try NetworkConfigList.parse(try KubeJSON.encode(list.json), isList: true)
        XCTAssertEqual(again.name, list.name)
        XCTAssertEqual(again.plugins, list.plugins)
    }
}

final class CNIResultTests: XCTestCase {
    func testParses100Results() throws {
        let text = """
            {"cniVersion": "1.0.0",
             "interfaces": [{"name": "cni0", "mac": "aa"}, {"name": "veth1"}, {"name": "eth0", "mac": "bb", "sandbox": "/run/netns/x"}],
             "ips": [{"address": "fd00::5/64", "interface": 2}, {"address": "10.99.0.5/24", "gateway": "10.99.0.1", "interface": 2},
                     {"address": "10.99.0.6/24", "interface": 2}, {"address": "192.168.0.1/24", "interface": 0}]}
            """
        let result = try CNIResult(parsing: JSONValue.parse(Data(text.utf8)))
        XCTAssertEqual(result.interfaces.map(\.name), ["cni0", "veth1", "eth0"])
        XCTAssertEqual(result.interfaces[2].sandbox, "/run/netns/x")
        XCTAssertEqual(result.ips[1].gateway, "10.99.0.1")
        // IPv4 first (the node's family), one per family, only the pod interface's.
        XCTAssertEqual(result.podIPs(interface: "eth0"), ["10.99.0.5", "fd00::5"])
        XCTAssertEqual(result.podIPs(interface: "eth0", preferIPv6: true), ["fd00::5", "10.99.0.5"])
    }

    func testParses040ResultsWithVersionedIPs() throws {
        let text = """
            {"cniVersion": "0.4.0", "interfaces": [{"name": "eth0", "sandbox": "/x"}],
             "ips": [{"version": "4", "address": "10.1.2.3/16", "interface": 0}], "dns": {}}
            """
        let result = try CNIResult(parsing: JSONValue.parse(Data(text.utf8)))
        XCTAssertEqual(result.podIPs(interface: "eth0"), ["10.1.2.3"])
    }

    func testParsesLegacy020Results() throws {
        let text = #"{"cniVersion": "0.2.0", "ip4": {"ip": "10.1.0.23/24", "gateway": "10.1.0.1"}, "ip6": {"ip": "fd::2/64"}}"#
        let result = try CNIResult(parsing: JSONValue.parse(Data(text.utf8)))
        XCTAssertEqual(result.podIPs(interface: "eth0"), ["10.1.0.23", "fd::2"])
    }

    func testResultsWithoutInterfaceIndicesUseEveryIP() throws {
        let text = #"{"cniVersion": "1.0.0", "ips": [{"address": "10.5.0.9/24"}]}"#
        XCTAssertEqual(try CNIResult(parsing: JSONValue.parse(Data(text.utf8))).podIPs(interface: "eth0"), ["10.5.0.9"])
    }

    func testRejectsMalformedResults() {
        for text in [#"[1]"#, #"{"ips": [{"gateway": "1.2.3.4"}]}"#, #"{"interfaces": [{"mac": "x"}]}"#] {
            XCTAssertThrowsError(try CNIResult(parsing: JSONValue.parse(Data(text.utf8))), text)
        }
    }
}

/// The example network the README suggests stays valid.
final class ExampleConfigTests: XCTestCase {
    func testTheExampleConflistParses() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let path = url.path + "/examples/cni/10-swiftlet.conflist"
        let list = try NetworkConfigList.parse(try Data(contentsOf: URL(fileURLWithPath: path)), isList: true, source: path)
        XCTAssertEqual(list.plugins.map(\.type), ["bridge", "portmap", "bandwidth"])
        XCTAssertEqual(list.plugins[1].capabilities, ["portMappings"])
        XCTAssertEqual(list.plugins[2].capabilities, ["bandwidth"])
        XCTAssertTrue(list.supportsCheck)
    }
}
