import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

final class ManifestDecoderTests: XCTestCase {
    func decode(_ text: String, validate: Bool = true) throws -> [ManifestDocument] {
        try ManifestDecoder.decode(Data(text.utf8), fileName: "test.yaml", validate: validate)
    }

    func pod(_ doc: ManifestDocument, file: StaticString = #filePath, line: UInt = #line) -> Pod? {
        switch doc.result {
        case .success(.pod(let pod)): return pod
        case .success(let other): XCTFail("not a pod: \(other)", file: file, line: line)
        case .failure(let error): XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func error(_ doc: ManifestDocument, file: StaticString = #filePath, line: UInt = #line) -> ManifestDocumentError? {
        if case .failure(let e) = doc.result { return e }
        XCTFail("expected failure, got \(doc.result)", file: file, line: line)
        return nil
    }

    func testMultiDocumentYAMLWithEmptyAndBadDocuments() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: one}
            spec:
              containers: [{name: c, image: busybox}]
            ---
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: two}
            spec:
              containers: [{name: c}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: dep}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: three}
            spec:
              containers: [{name: c, image: busybox}]
            """
        let docs = try decode(text)
        XCTAssertEqual(docs.map(\.document), [1, 3, 4, 5])
        XCTAssertEqual(pod(docs[0])?.name, "one")
        XCTAssertEqual(pod(docs[0])?.namespace, "default", "validated pods come back defaulted")
        XCTAssertEqual(
            error(docs[1])?.description, #"document 3: Pod "two" is invalid: spec.containers[0].image: Required value"#)
        XCTAssertEqual(docs[2].result, .success(.unsupported(kind: "StatefulSet", apiVersion: "apps/v1", name: "dep")))
        XCTAssertEqual(pod(docs[3])?.name, "three")
    }

    func testSyntaxErrorKeepsEarlierDocuments() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: one}
            spec: {containers: [{name: c, image: busybox}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: [unclosed
            """
        let docs = try decode(text)
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(pod(docs[0])?.name, "one")
        guard let e = error(docs[1]) else { return }
        XCTAssertEqual(e.document, 2)
        guard case .syntax = e.reason else { return XCTFail("\(e.reason)") }
        XCTAssertTrue(e.description.hasPrefix("document 2: "), e.description)
    }

    func testJSONObjectAndUnknownFieldsIgnored() throws {
        let json = """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j", "futureField": 1},
             "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "unknown": {"x": [1, 2]}}], "newThing": true}}
            """
        let docs = try ManifestDecoder.decode(Data(json.utf8), fileName: "pod.json")
        XCTAssertEqual(docs.count, 1)
        XCTAssertEqual(pod(docs[0])?.spec.containers[0].imagePullPolicy, .ifNotPresent)
    }

    func testListAndPodListItems() throws {
        let json = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}},
              {"kind": "Pod", "metadata": {"name": "b"}}
            ]}
            """
        let docs = try ManifestDecoder.decode(Data(json.utf8), fileName: "list.json")
        XCTAssertEqual(docs.map(\.item), [0, 1, 2])
        XCTAssertEqual(pod(docs[0])?.name, "a")
        guard case .success(.object(let cm)) = docs[1].result else { return XCTFail("\(docs[1].result)") }
        XCTAssertEqual(cm.kind, "ConfigMap")
        XCTAssertEqual(cm.key, "default/cm")
        XCTAssertEqual(error(docs[2])?.description, "document 1 items[2]: Object 'apiVersion' is missing")

        XCTAssertEqual(try decode("apiVersion: v1\nkind: PodList\n").count, 0, "items are optional")
    }

    func testNonObjectsAndMissingKind() throws {
        let docs = try decode("just a string\n---\n- a\n---\napiVersion: v1\nmetadata: {name: x}\n")
        XCTAssertEqual(docs.map { error($0)?.description }, [
            "document 1: expected an object, got string",
            "document 2: expected an object, got array",
            "document 3: Object 'Kind' is missing",
        ])
    }

    func testYAML12ScalarsStayStringsWhereWritten() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: y
              labels: {enabled: "true"}
              annotations: {a: yes, b: on, c: no, d: off, e: "1.0", f: 2024-01-01}
            spec:
              containers:
              - name: c
                image: busybox
                env:
                - {name: A, value: yes}
                - {name: B, value: on}
                - {name: C, value: "0755"}
                - {name: D, value: !!str 12}
              restartPolicy: Never
            """
        guard let p = pod(try decode(text)[0]) else { return }
        XCTAssertEqual(p.metadata.annotations?["a"], "yes")
        XCTAssertEqual(p.metadata.annotations?["b"], "on")
        XCTAssertEqual(p.metadata.annotations?["c"], "no")
        XCTAssertEqual(p.metadata.annotations?["d"], "off")
        XCTAssertEqual(p.metadata.annotations?["f"], "2024-01-01")
        XCTAssertEqual(p.spec.containers[0].env?.map(\.value), ["yes", "on", "0755", "12"])
        XCTAssertEqual(p.spec.restartPolicy, .never)
    }

    /// Found by the manifest fuzzer's seeds: `defaultMode: 0644` (how Kubernetes docs write modes) was read
    /// as decimal 644 and refused; YAML 1.1, which Kubernetes uses, reads a leading zero as octal.
    func testLeadingZeroIntegersAreOctalAsOnKubernetes() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: modes}
            spec:
              containers: [{name: c, image: busybox}]
              volumes:
              - name: a
                configMap: {name: cm, defaultMode: 0644, items: [{key: k, path: k, mode: 0400}]}
              - name: b
                secret: {secretName: s, defaultMode: 0o755}
              - name: c
                secret: {secretName: s, defaultMode: 420}
            """
        guard let p = pod(try decode(text)[0]) else { return }
        XCTAssertEqual(p.spec.volumes?[0].configMap?.defaultMode, 0o644)
        XCTAssertEqual(p.spec.volumes?[0].configMap?.items?[0].mode, 0o400)
        XCTAssertEqual(p.spec.volumes?[1].secret?.defaultMode, 0o755)
        XCTAssertEqual(p.spec.volumes?[2].secret?.defaultMode, 420)
    }

    func testTypeErrorsNameTheField() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: t}
            spec:
              containers:
              - name: c
                image: 1.0
                command: sleep 10
                ports: [{containerPort: "80"}]
            """
        guard let e = error(try decode(text)[0]) else { return }
        let fields = Set(e.fieldErrors.map(\.field))
        XCTAssertTrue(fields.contains("spec.containers[0].image"), "\(fields)")
        XCTAssertTrue(fields.contains("spec.containers[0].command"), "\(fields)")
        XCTAssertTrue(fields.contains("spec.containers[0].ports[0].containerPort"), "\(fields)")
        XCTAssertTrue(
            e.fieldErrors.map(\.description).contains("spec.containers[0].image: Invalid type: expected string, got number 1.0"),
            "\(e.fieldErrors)")
        XCTAssertTrue(
            e.fieldErrors.map(\.description).contains(
                #"spec.containers[0].command: Invalid type: expected array, got string "sleep 10""#), "\(e.fieldErrors)")
    }

    func testTwentyMistakesGiveTwentyErrors() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: Bad_Name
              namespace: Team.A
              labels:
                "-bad": ok
                app: "bad value"
              annotations:
                "a/b/c": x
            spec:
              restartPolicy: Sometimes
              terminationGracePeriodSeconds: -1
              activeDeadlineSeconds: 0
              hostname: Host_1
              subdomain: sub.domain
              initContainers:
              - name: init
                image: busybox
                restartPolicy: Never
              - name: web
                image: busybox
              containers:
              - name: web
                image: ""
                imagePullPolicy: Sometimes
                env:
                - name: 1BAD
                ports:
                - containerPort: 70000
                  hostPort: -1
                  protocol: HTTP
                  name: http
                - containerPort: 81
                  name: http
              - name: Web2
                image: busybox
            """
        let docs = try decode(text)
        guard let e = error(docs[0]) else { return }
        let fields = e.fieldErrors.map(\.field)
        XCTAssertEqual(fields.count, 20, e.fieldErrors.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(Set(fields), [
            "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations",
            "spec.restartPolicy", "spec.terminationGracePeriodSeconds", "spec.activeDeadlineSeconds",
            "spec.hostname", "spec.subdomain",
            "spec.initContainers[0].restartPolicy", "spec.initContainers[1].name",
            "spec.containers[0].image", "spec.containers[0].imagePullPolicy", "spec.containers[0].env[0].name",
            "spec.containers[0].ports[0].containerPort", "spec.containers[0].ports[0].hostPort",
            "spec.containers[0].ports[0].protocol", "spec.containers[0].ports[1].name", "spec.containers[1].name",
        ])
        XCTAssertTrue(e.fieldErrors.map(\.description).contains(
            #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure""#))
        XCTAssertTrue(e.fieldErrors.map(\.description).contains(
            #"spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never""#))
        XCTAssertTrue(e.description.hasPrefix(#"document 1: Pod "Bad_Name" is invalid: ["#), e.description)
    }

    func testWithoutValidationPodsComeBackAsWritten() throws {
        let docs = try decode("apiVersion: v1\nkind: Pod\nmetadata: {name: Raw}\nspec: {containers: []}\n", validate: false)
        XCTAssertEqual(pod(docs[0])?.metadata.namespace, nil)
        XCTAssertEqual(pod(docs[0])?.name, "Raw")
    }

    func testFileLimits() {
        let big = Data(count: ManifestDecoder.maxManifestBytes + 1)
        XCTAssertThrowsError(try ManifestDecoder.decode(big, fileName: "big.yaml")) { error in
            XCTAssertEqual(
                error as? ManifestFileError,
                .tooLarge(fileName: "big.yaml", size: ManifestDecoder.maxManifestBytes + 1, limit: 10_485_760))
        }
        XCTAssertThrowsError(try ManifestDecoder.decode(Data([0xff, 0xfe, 0x00]), fileName: "bin.yaml"))
        XCTAssertEqual(try ManifestDecoder.decode(Data(), fileName: "empty.yaml").count, 0)
    }

    func testMergeKeysAndAnchors() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: m}
            spec:
              containers:
              - &base {name: a, image: busybox, workingDir: /srv}
              - <<: *base
                name: b
            """
        guard let p = pod(try decode(text)[0]) else { return }
        XCTAssertEqual(p.spec.containers.map(\.name), ["a", "b"])
        XCTAssertEqual(p.spec.containers[1].workingDir, "/srv")
    }
}
