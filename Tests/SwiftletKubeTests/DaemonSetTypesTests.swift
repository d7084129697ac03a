import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// apps/v1 DaemonSet and ControllerRevision decoding, defaulting and the API server's messages;
/// the pod's nodeSelector / node affinity validation and matching.
final class DaemonSetTypesTests: XCTestCase {
    enum Decoded {
        case success(AnyKubeObject)
        case failure([String])
    }

    func decode(_ text: String) throws -> Decoded {
        guard let doc = try ManifestDecoder.decode(Data(text.utf8), fileName: "ds.yaml").first else { return .failure(["no document"]) }
        switch doc.result {
        case .success(.object(let object)): return .success(object)
        case .failure(let e): return .failure(e.fieldErrors.map(\.description) + (e.fieldErrors.isEmpty ? ["\(e)"] : []))
        default: return .failure(["not an object"])
        }
    }

    func daemonSet(_ spec: String, podSpec: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
        \(spec)
          template:
            metadata: {labels: {app: agent}}
            spec:
              containers: [{name: c, image: busybox}]
        \(podSpec)
        """
    }

    func testDecodedAndDefaulted() throws {
        guard case .success(let object) = try decode(daemonSet("  selector: {matchLabels: {app: agent}}")),
            let ds = object.value as? DaemonSet
        else { return XCTFail("not decoded as a DaemonSet") }
        XCTAssertEqual(
            ds.spec.updateStrategy,
            DaemonSet.UpdateStrategy(type: "RollingUpdate", rollingUpdate: DaemonSet.RollingUpdate(maxUnavailable: .int(1), maxSurge: .int(0))))
        XCTAssertEqual(ds.spec.revisionHistoryLimit, 10)
        XCTAssertEqual(ds.templateGeneration, 1)
        XCTAssertEqual(ds.spec.template?.spec.restartPolicy, .always)
    }

    func testValidationMessages() throws {
        let cases: [(String, String, String, [String])] = [
            ("selector does not match", "  selector: {matchLabels: {app: db}}", "",
             [#"spec.template.metadata.labels: Invalid value: "map[app:agent]": `selector` does not match template `labels`"#]),
            ("no selector", "  minReadySeconds: 0", "", ["spec.selector: Required value"]),
            ("restart policy", "  selector: {matchLabels: {app: agent}}", "      restartPolicy: Never",
             [#"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#]),
            ("deadline", "  selector: {matchLabels: {app: agent}}", "      activeDeadlineSeconds: 5",
             ["spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in DaemonSet is not Supported"]),
            ("surge and unavailable", "  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxSurge: 1}}", "",
             ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"]),
            ("both zero", "  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}", "",
             ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]),
            ("over 100%", "  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxUnavailable: 120%}}", "",
             [#"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%"#]),
            ("not a percentage", "  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxUnavailable: lots}}", "",
             [#"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "lots": must be an integer or percentage (e.g '5%')"#]),
            ("strategy type", "  selector: {matchLabels: {app: agent}}\n  updateStrategy: {type: Recreate}", "",
             [#"spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "OnDelete", "RollingUpdate""#]),
            ("history", "  selector: {matchLabels: {app: agent}}\n  revisionHistoryLimit: -1", "",
             ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]),
            ("node selector label", "  selector: {matchLabels: {app: agent}}", "      nodeSelector: {disk: \"a b\"}",
             [#"spec.template.spec.nodeSelector: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#]),
        ]
        for (what, spec, podSpec, expected) in cases {
            guard case .failure(let errors) = try decode(daemonSet(spec, podSpec: podSpec)) else {
                XCTFail("\(what): accepted")
                continue
            }
            XCTAssertEqual(errors, expected, what)
        }
        guard case .success = try decode(daemonSet("  selector: {matchLabels: {app: agent}}\n  updateStrategy: {type: OnDelete}")) else {
            return XCTFail("OnDelete refused")
        }
        guard case .success = try decode(daemonSet("  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}")) else {
            return XCTFail("surge refused")
        }
    }

    func testTemplateGenerationRisesWithTheTemplateOnly() throws {
        guard case .success(let object) = try decode(daemonSet("  selector: {matchLabels: {app: agent}}")), let old = object.value as? DaemonSet
        else { return XCTFail() }
        var same = old
        same.spec.minReadySeconds = 5
        same.metadata.annotations = nil
        XCTAssertEqual((same.preservingStatus(of: old) as? DaemonSet)?.templateGeneration, 1)
        var changed = old
        changed.spec.template?.spec.containers[0].image = "other"
        XCTAssertEqual((changed.preservingStatus(of: old) as? DaemonSet)?.templateGeneration, 2)
        XCTAssertEqual(changed.validateUpdate(from: old), [])
        var reselected = old
        reselected.spec.selector = WorkloadSelector(matchLabels: ["app": "x"])
        XCTAssertEqual(reselected.validateUpdate(from: old).map(\.description), [#"spec.selector: Invalid value: "map[app:x]": field is immutable"#])
    }

    func testControllerRevisionHoldsTheTemplateAsAReplacePatch() throws {
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "a"]), spec: PodSpec(containers: [Container(name: "c", image: "i")]))
        let data = try XCTUnwrap(ControllerRevision.daemonSetData(template))
        guard case .object(let root) = data, case .object(let spec)? = root["spec"], case .object(let t)? = spec["template"] else {
            return XCTFail("\(data)")
        }
        XCTAssertEqual(t["$patch"], .string("replace"))
        let revision = ControllerRevision(metadata: ObjectMeta(name: "a-1"), data: data, revision: 1)
        XCTAssertEqual(revision.daemonSetTemplate, template)
        XCTAssertEqual(revision.validate(), [])
        XCTAssertEqual(ControllerRevision(metadata: ObjectMeta(name: "a-1"), data: nil, revision: -1).validate().map(\.description), [
            "data: Required value: data is mandatory", "revision: Invalid value: -1: must be greater than or equal to 0",
        ])
    }

    func testNodeSelectorAndAffinityMatching() {
        let node = NodeIdentity(name: "n1", labels: ["disk": "ssd", "cores": "8"])
        func term(_ expressions: [NodeSelectorRequirement] = [], fields: [NodeSelectorRequirement] = []) -> NodeSelectorTerm {
            NodeSelectorTerm(matchExpressions: expressions.isEmpty ? nil : expressions, matchFields: fields.isEmpty ? nil : fields)
        }
        let cases: [(selector: [String: String]?, terms: [NodeSelectorTerm]?, matches: Bool)] = [
            (nil, nil, true),
            (["disk": "ssd"], nil, true),
            (["disk": "hdd"], nil, false),
            (nil, [term([.init(key: "disk", operator: "In", values: ["ssd", "nvme"])])], true),
            (nil, [term([.init(key: "disk", operator: "NotIn", values: ["ssd"])])], false),
            (nil, [term([.init(key: "gpu", operator: "NotIn", values: ["yes"])])], true),
            (nil, [term([.init(key: "gpu", operator: "DoesNotExist")])], true),
            (nil, [term([.init(key: "disk", operator: "Exists")])], true),
            (nil, [term([.init(key: "cores", operator: "Gt", values: ["4"])])], true),
            (nil, [term([.init(key: "cores", operator: "Lt", values: ["4"])])], false),
            (nil, [term()], false),  // an empty term matches nothing
            (nil, [term([.init(key: "disk", operator: "In", values: ["hdd"])]), term(fields: [.init(key: "metadata.name", operator: "In", values: ["n1"])])], true),
            (nil, [term(fields: [.init(key: "metadata.name", operator: "In", values: ["n2"])])], false),
            (["disk": "ssd"], [term(fields: [.init(key: "metadata.name", operator: "NotIn", values: ["n1"])])], false),
        ]
        for c in cases {
            var spec = PodSpec(containers: [])
            spec.nodeSelector = c.selector
            if let terms = c.terms { spec.affinity = Affinity(nodeAffinity: NodeAffinity(required: NodeSelector(nodeSelectorTerms: terms))) }
            XCTAssertEqual(spec.matchesNode(node), c.matches, "\(c)")
        }
    }

    func testNodeAffinityValidationMessages() throws {
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers: [{name: c, image: busybox}]
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                    - matchExpressions: [{key: disk, operator: In}, {key: x, operator: Near, values: [a]}]
                      matchFields: [{key: metadata.labels, operator: In, values: [a, b]}]
                  preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, preference: {}}]
            """
        let docs = try ManifestDecoder.decode(Data(pod.utf8), fileName: "p.yaml")
        guard case .failure(let e)? = docs.first?.result else { return XCTFail("accepted") }
        let path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        XCTAssertEqual(e.fieldErrors.map(\.description), [
            "\(path).matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            #"\#(path).matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator"#,
            "\(path).matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
            #"\#(path).matchFields[0].key: Unsupported value: "metadata.labels": supported values: "metadata.name""#,
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
        ])
    }

    func testDefaultNodeLabelsNameTheArchitectureAsGoDoes() {
        let labels = NodeIdentity.defaultLabels(nodeName: "box", machine: "x86_64")
        XCTAssertEqual(labels["kubernetes.io/arch"], "amd64")
        XCTAssertEqual(labels["kubernetes.io/os"], "linux")
        XCTAssertEqual(labels["kubernetes.io/hostname"], "box")
        XCTAssertEqual(NodeIdentity.goArch("aarch64"), "arm64")
    }
}
