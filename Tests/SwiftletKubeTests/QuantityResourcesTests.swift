import Foundation
import SwiftletKube
import XCTest

/// Container resources: decoding, API defaulting and validation messages.
final class QuantityResourcesTests: XCTestCase {
    func pod(_ resources: String, initResources: String? = nil) throws -> Pod {
        let inits = initResources.map {
            #","initContainers":[{"name":"init","image":"busybox","resources":\#($0)}]"#
        } ?? ""
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"busybox","resources":\#(resources)}]\#(inits)}}"#
        return try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
    }

    func messages(_ resources: String, initResources: String? = nil) throws -> [String] {
        try pod(resources, initResources: initResources).withDefaults().validate().map(\.description)
    }

    func testDecodesAndDefaultsRequestsFromLimits() throws {
        let p = try pod(#"{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":0.25}}"#).withDefaults()
        let r = try XCTUnwrap(p.spec.containers[0].resources)
        XCTAssertEqual(r.requests?["cpu"]?.canonicalString, "250m")
        XCTAssertEqual(r.requests?["memory"]?.canonicalString, "128Mi")
        let encoded = String(decoding: try JSONEncoder().encode(r.requests), as: UTF8.self)
        XCTAssertTrue(encoded.contains(#""memory":"128Mi""#), encoded)

        var empty = ResourceRequirements(limits: [:])
        empty.applyDefaults()
        XCTAssertNil(empty.requests)
        var requestOnly = ResourceRequirements(requests: ["cpu": Quantity(1)])
        requestOnly.applyDefaults()
        XCTAssertNil(requestOnly.limits)
        XCTAssertEqual(requestOnly.requests, ["cpu": Quantity(1)])
    }

    func testValidationMessages() throws {
        let base = "spec.containers[0].resources"
        let table: [(String, [String])] = [
            (#"{"limits":{"cpu":"500m","memory":"1Gi"},"requests":{"cpu":"100m"}}"#, []),
            (#"{"limits":{"cpu":"500m"},"requests":{"cpu":"1"}}"#,
             [#"\#(base).requests: Invalid value: "1": must be less than or equal to cpu limit of 500m"#]),
            (#"{"limits":{"memory":"-1"}}"#,
             [#"\#(base).limits[memory]: Invalid value: "-1": must be greater than or equal to 0"#,
              #"\#(base).requests[memory]: Invalid value: "-1": must be greater than or equal to 0"#]),
            (#"{"requests":{"foo":"1"}}"#,
             [#"\#(base).requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified"#]),
            (#"{"requests":{"pods":"1"}}"#,
             [#"\#(base).requests[pods]: Invalid value: "pods": must be a standard resource for containers"#]),
            (#"{"limits":{"example.com/gpu":"1.5"}}"#,
             [#"\#(base).limits[example.com/gpu]: Invalid value: "1500m": must be an integer"#,
              #"\#(base).requests[example.com/gpu]: Invalid value: "1500m": must be an integer"#]),
            (#"{"requests":{"example.com/gpu":"1"}}"#,
             ["\(base).limits: Required value: Limit must be set for non overcommitable resources"]),
            (#"{"limits":{"example.com/gpu":"2"},"requests":{"example.com/gpu":"1"}}"#,
             [#"\#(base).requests: Invalid value: "1": must be equal to example.com/gpu limit of 2"#]),
            (#"{"limits":{"hugepages-2Mi":"4Mi"}}"#, ["\(base): Forbidden: HugePages require cpu or memory"]),
            (#"{"limits":{"hugepages-2Mi":"3Mi","memory":"1Gi"}}"#,
             [#"\#(base).limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi"#,
              #"\#(base).requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi"#]),
            (#"{"limits":{"ephemeral-storage":"1Gi","kubernetes.io/foo":"1"}}"#, []),
            (#"{"limits":{"Bad_Name/x":"1"}}"#,
             [#"\#(base).limits[Bad_Name/x]: Invalid value: "Bad_Name/x": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#,
              #"\#(base).requests[Bad_Name/x]: Invalid value: "Bad_Name/x": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#]),
        ]
        for (resources, expected) in table {
            XCTAssertEqual(try messages(resources), expected, resources)
        }
        XCTAssertEqual(
            try messages("{}", initResources: #"{"limits":{"cpu":"1"},"requests":{"cpu":"2"}}"#),
            [#"spec.initContainers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"#])
    }

    func testBadQuantityInManifestIsAFieldError() throws {
        let tree = try JSONDecoder().decode(JSONValue.self, from: Data(
            #"{"metadata":{"name":"web"},"spec":{"containers":[{"name":"a","image":"b","resources":{"limits":{"cpu":"2 cores"}}}]}}"#.utf8))
        guard case .failure(let errs) = PodDecoder.decodeDefaultedAndValidated(tree) else { return XCTFail("accepted") }
        XCTAssertEqual(errs.errors.count, 1)
        XCTAssertTrue(errs.errors[0].field.hasPrefix("spec.containers[0].resources.limits"), errs.description)
        XCTAssertTrue(errs.description.contains("quantities must match the regular expression"), errs.description)
    }
}
