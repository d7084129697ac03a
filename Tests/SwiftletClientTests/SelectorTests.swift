import SwiftletKube
import XCTest

final class SelectorTests: XCTestCase {
    func testLabelSelectorMatching() throws {
        let labels = ["app": "web", "tier": "front", "env": "prod"]
        let cases: [(String, Bool)] = [
            ("", true), ("app=web", true), ("app==web", true), ("app=db", false), ("app!=db", true),
            ("missing!=x", true), ("app in (web, api)", true), ("app in (db)", false), ("app notin (db,api)", true),
            ("missing notin (x)", true), ("missing in (x)", false), ("app", true), ("missing", false),
            ("!missing", true), ("!app", false), ("app=web,tier=front", true), ("app=web,tier=back", false),
            ("app in (web),env notin (dev)", true), ("app in(web)", true),
        ]
        for (text, expected) in cases {
            let selector = try LabelSelector(parsing: text)
            XCTAssertEqual(selector.matches(labels), expected, "selector \(text)")
        }
    }

    func testLabelSelectorRejectsGarbage() {
        for text in ["app in web", "app maybe (x)", "a b c", "=x", "app in (we b)"] {
            XCTAssertThrowsError(try LabelSelector(parsing: text), "selector \(text)")
        }
    }

    func testFieldSelectorOnPods() throws {
        var pod = Pod(metadata: ObjectMeta(name: "web", namespace: "prod"), spec: PodSpec(containers: []))
        pod.status = PodStatus(phase: .running)
        pod.status?.podIP = "10.0.0.5"
        let cases: [(String, Bool)] = [
            ("metadata.name=web", true), ("metadata.name!=web", false), ("metadata.namespace==prod", true),
            ("status.phase=Running,status.podIP=10.0.0.5", true), ("status.phase=Pending", false),
            ("spec.nodeName=", true), ("spec.nodeName!=", false),
        ]
        for (text, expected) in cases {
            let selector = try FieldSelector(parsing: text, supported: FieldSelector.podFields)
            XCTAssertEqual(selector.matches(pod), expected, "selector \(text)")
        }
    }

    func testUnknownFieldIsRejectedLikeTheAPIServer() {
        XCTAssertThrowsError(try FieldSelector(parsing: "spec.foo=bar", supported: FieldSelector.podFields)) { error in
            XCTAssertEqual((error as? SelectorError)?.description, "field label not supported: spec.foo")
        }
    }
}
