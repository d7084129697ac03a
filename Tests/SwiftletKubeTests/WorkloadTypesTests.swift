import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// apps/v1 ReplicaSet decoding, defaulting and the API server's validation messages.
final class WorkloadTypesTests: XCTestCase {
    func errors(_ text: String) throws -> [String] {
        try ManifestDecoder.decode(Data(text.utf8), fileName: "rs.yaml").flatMap { doc -> [String] in
            if case .failure(let e) = doc.result { return e.fieldErrors.map(\.description) + (e.fieldErrors.isEmpty ? ["\(e)"] : []) }
            return []
        }
    }

    func replicaSet(_ spec: String) -> String {
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n" + spec
    }

    let template = """
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: c, image: busybox}]
        """

    func testDecodedAndDefaulted() throws {
        let docs = try ManifestDecoder.decode(Data(replicaSet("  selector: {matchLabels: {app: web}}\n" + template).utf8), fileName: "rs.yaml")
        guard case .success(.object(let object)) = docs.first?.result, let rs = object.value as? ReplicaSet else {
            return XCTFail("not decoded as a ReplicaSet: \(docs)")
        }
        XCTAssertEqual(rs.spec.replicas, 1)
        XCTAssertEqual(rs.spec.minReadySeconds, 0)
        XCTAssertEqual(rs.spec.template?.spec.restartPolicy, .always)
        XCTAssertEqual(rs.spec.template?.spec.terminationGracePeriodSeconds, 30)
    }

    func testValidationMessages() throws {
        let cases: [(String, String, [String])] = [
            ("selector does not match the template", "  selector: {matchLabels: {app: db}}\n" + template,
             [#"spec.template.metadata.labels: Invalid value: "map[app:web]": `selector` does not match template `labels`"#]),
            ("missing selector", template, ["spec.selector: Required value"]),
            ("negative replicas", "  replicas: -1\n  selector: {matchLabels: {app: web}}\n" + template,
             ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
            ("restartPolicy Never", "  selector: {matchLabels: {app: web}}\n" + template + "\n      restartPolicy: Never",
             [#"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#]),
            ("bad operator", "  selector: {matchExpressions: [{key: app, operator: Like, values: [web]}]}\n" + template,
             [#"spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator"#]),
            ("In without values", "  selector: {matchLabels: {app: web}, matchExpressions: [{key: app, operator: In}]}\n" + template,
             ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
            ("template pod spec errors carry the template path", "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c}]}",
             ["spec.template.spec.containers[0].image: Required value"]),
        ]
        for (name, spec, expected) in cases {
            XCTAssertEqual(try errors(replicaSet(spec)), expected, name)
        }
    }

    func testMatchExpressionsSelect() {
        let selector = WorkloadSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [.init(key: "tier", operator: "In", values: ["fe", "be"]), .init(key: "canary", operator: "DoesNotExist")])
        XCTAssertTrue(selector.matches(["app": "web", "tier": "fe"]))
        XCTAssertFalse(selector.matches(["app": "web", "tier": "db"]))
        XCTAssertFalse(selector.matches(["app": "web", "tier": "fe", "canary": "1"]))
        XCTAssertFalse(WorkloadSelector().matches(["app": "web"]))
    }

    func testSelectorIsImmutable() {
        let old = ReplicaSet(metadata: ObjectMeta(name: "web"), spec: .init(selector: WorkloadSelector(matchLabels: ["app": "web"])))
        var new = old
        new.spec.selector = WorkloadSelector(matchLabels: ["app": "db"])
        XCTAssertEqual(new.validateUpdate(from: old).map(\.description), [#"spec.selector: Invalid value: "map[app:db]": field is immutable"#])
        new.spec.replicas = 4
        new.spec.selector = old.spec.selector
        XCTAssertEqual(new.validateUpdate(from: old), [])
    }
}
