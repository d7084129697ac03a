import Foundation
import SwiftletKube
import XCTest

final class PodDecoderTests: XCTestCase {
    func testJSONValueKeepsNumberKinds() throws {
        let tree = try JSONValue.parse(Data(#"{"a": 1, "b": true, "c": 1.5, "d": null, "e": "s", "f": [1]}"#.utf8))
        XCTAssertEqual(tree["a"], .int(1))
        XCTAssertEqual(tree["b"], .bool(true))
        XCTAssertEqual(tree["c"], .double(1.5))
        XCTAssertEqual(tree["d"], .null)
        XCTAssertEqual(tree["e"], .string("s"))
        XCTAssertEqual(tree["f"], .array([.int(1)]))
        XCTAssertThrowsError(try JSONValue.parse(Data("{".utf8)))
    }

    func testDecodeDefaultedAndValidatedForAPIBodies() throws {
        let ok = try JSONValue.parse(Data(#"{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"x:1"}]}}"#.utf8))
        guard case .success(let pod) = PodDecoder.decodeDefaultedAndValidated(ok) else { return XCTFail() }
        XCTAssertEqual(pod.spec.restartPolicy, .always)

        let bad = try JSONValue.parse(Data(#"{"metadata":{"name":"a"},"spec":{"restartPolicy":"","containers":[{"name":"c","image":7}]}}"#.utf8))
        guard case .failure(let errors) = PodDecoder.decodeDefaultedAndValidated(bad) else { return XCTFail() }
        XCTAssertEqual(errors.messages, [
            "spec.restartPolicy: Required value",
            "spec.containers[0].image: Invalid type: expected string, got number 7",
        ])
    }

    func testMissingRequiredKeyStopsWithRequired() throws {
        let tree = try JSONValue.parse(Data(#"{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"x","ports":[{}]}]}}"#.utf8))
        let (pod, errors) = PodDecoder.decodeLeniently(tree)
        XCTAssertNil(pod)
        XCTAssertEqual(errors.map(\.description), ["spec.containers[0].ports[0].containerPort: Required value"])
    }
}
