import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// ConfigMap/Secret objects, volumes, volume mounts and env sources: decoding and the API server's messages.
final class StorageTypesTests: XCTestCase {
    func decode(_ text: String) throws -> [ManifestDocument] {
        try ManifestDecoder.decode(Data(text.utf8), fileName: "test.yaml")
    }

    func errors(_ text: String) throws -> [String] {
        try decode(text).flatMap { doc -> [String] in
            if case .failure(let e) = doc.result { return e.fieldErrors.map(\.description) + (e.fieldErrors.isEmpty ? ["\(e)"] : []) }
            return []
        }
    }

    func podErrors(_ spec: String) throws -> [String] {
        try errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec)
    }

    func testMixedKindsInOneFileAreDecodedDefaultedAndValidated() throws {
        let docs = try decode(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app-config}
            data: {log_level: debug}
            binaryData: {blob: AAEC}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: app-secret, namespace: prod}
            data: {password: czNjcjN0}
            stringData: {user: admin}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              volumes:
              - {name: cfg, configMap: {name: app-config}}
              - {name: api, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
              containers:
              - name: c
                image: busybox
                envFrom: [{prefix: CFG_, configMapRef: {name: app-config}}]
                env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
            """)
        XCTAssertEqual(docs.count, 3)
        guard case .success(.object(let cm)) = docs[0].result, let configMap = cm.value as? ConfigMap else {
            return XCTFail("\(docs[0].result)")
        }
        XCTAssertEqual(configMap.payload, ["log_level": Array("debug".utf8), "blob": [0, 1, 2]])
        guard case .success(.object(let s)) = docs[1].result, let secret = s.value as? Secret else {
            return XCTFail("\(docs[1].result)")
        }
        XCTAssertEqual(secret.key, "prod/app-secret")
        XCTAssertEqual(secret.type, "Opaque")
        XCTAssertNil(secret.stringData, "stringData is merged into data on write")
        XCTAssertEqual(secret.data, ["password": "czNjcjN0", "user": "YWRtaW4="])
        guard case .success(.pod(let pod)) = docs[2].result else { return XCTFail("\(docs[2].result)") }
        XCTAssertEqual(pod.spec.volumes?[0].configMap?.defaultMode, 0o644)
        XCTAssertEqual(pod.spec.volumes?[1].downwardAPI?.items?[0].fieldRef?.apiVersion, "v1")
        XCTAssertEqual(pod.spec.containers[0].env?[0].valueFrom?.fieldRef?.apiVersion, "v1")
    }

    /// Every example in examples/manifests decodes and validates.
    func testExampleManifestsAreValid() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = repository.appendingPathComponent("examples/manifests")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertTrue(files.contains("config-demo.yaml"))
        for file in files {
            let data = try Data(contentsOf: dir.appendingPathComponent(file))
            for doc in try ManifestDecoder.decode(data, fileName: file) {
                if case .failure(let e) = doc.result { XCTFail("\(file): \(e)") }
            }
        }
    }

    func testConfigMapAndSecretValidationMessages() throws {
        let rows: [(String, [String])] = [
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a b\": x, ok: y}\nbinaryData: {ok: AA==}\n",
                [
                    "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                        + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                    "data[ok]: Invalid value: \"ok\": duplicate of key present in binaryData",
                ]
            ),
            ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {..x: y}\n", ["data[..x]: Invalid value: \"..x\": must not start with '..'"]),
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: \"not base64!\"}\n",
                ["data[k]: Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 3"]
            ),
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\nstringData: {config.json: \"{}\"}\n",
                ["data[.dockerconfigjson]: Required value"]
            ),
            ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockercfg\nstringData: {.dockercfg: \"{}\"}\n", []),
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockercfg\nstringData: {.dockercfg: \"[1]\"}\n",
                ["data[.dockercfg]: Invalid value: \"<secret contents redacted>\": json: cannot unmarshal into a map"]
            ),
            ("apiVersion: v1\nkind: Secret\nmetadata: {name: Bad_Name}\n", [
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]),
        ]
        for (text, expected) in rows {
            XCTAssertEqual(try errors(text), expected, text)
        }
    }

    func testImmutableConfigMapRefusesDataChanges() {
        var old = ConfigMap(metadata: ObjectMeta(name: "c"), data: ["a": "1"])
        old.immutable = true
        var new = old
        new.data = ["a": "2"]
        XCTAssertEqual(new.validateUpdate(from: old).map(\.description), ["data: Forbidden: field is immutable when `immutable` is set"])
        XCTAssertEqual(old.validateUpdate(from: old), [])
    }

    func testBase64MatchesGo() {
        XCTAssertEqual(Base64.encode(Array("s3cr3t".utf8)), "czNjcjN0")
        XCTAssertEqual(Base64.encode([0xff]), "/w==")
        XCTAssertEqual(try Base64.decode("czNjcjN0").get(), Array("s3cr3t".utf8))
        XCTAssertEqual(try Base64.decode("YWRtaW4=").get(), Array("admin".utf8))
        XCTAssertEqual(try Base64.decode("").get(), [])
        for (bad, offset) in [("YW=x", 3), ("YWJ", 3), ("Y", 1), ("YWI=YWI=", 4), ("$$$$", 0)] {
            guard case .failure(let e) = Base64.decode(bad) else { XCTFail(bad); continue }
            XCTAssertEqual(e.offset, offset, bad)
        }
    }

    func testVolumeAndMountValidationMessages() throws {
        let rows: [(String, [String])] = [
            (
                """
                  volumes:
                  - {name: a}
                  - {name: b, hostPath: {path: /x/../etc, type: Dir}}
                  - {name: b, emptyDir: {}, configMap: {name: c}}
                  - {name: d, persistentVolumeClaim: {claimName: x}}
                  - {name: e, configMap: {name: "", defaultMode: 1000, items: [{key: "", path: /abs}]}}
                  - {name: f, secret: {items: [{key: k, path: ../up}]}}
                  - {name: g, downwardAPI: {items: [{path: x, fieldRef: {fieldPath: spec.nodeName}}, {path: y, resourceFieldRef: {resource: limits.cpu}}]}}
                  containers: [{name: c, image: busybox}]
                """,
                [
                    "spec.volumes[0]: Required value: must specify a volume type",
                    "spec.volumes[1].hostPath.path: Invalid value: \"/x/../etc\": must not contain '..'",
                    "spec.volumes[1].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
                    "spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type",
                    "spec.volumes[2].name: Duplicate value: \"b\"",
                    "spec.volumes[3].persistentVolumeClaim: Forbidden: persistentVolumeClaim volumes are not supported by swiftlet",
                    "spec.volumes[4].configMap.name: Required value",
                    "spec.volumes[4].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
                    "spec.volumes[4].configMap.items[0].key: Required value",
                    "spec.volumes[4].configMap.items[0].path: Invalid value: \"/abs\": must be a relative path",
                    "spec.volumes[5].secret.secretName: Required value",
                    "spec.volumes[5].secret.items[0].path: Invalid value: \"../up\": must not contain '..'",
                    "spec.volumes[5].secret.items[0].path: Invalid value: \"../up\": must not start with '..'",
                    "spec.volumes[6].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"",
                    "spec.volumes[6].downwardAPI.items[1].resourceFieldRef.containerName: Required value",
                ]
            ),
            (
                """
                  volumes: [{name: v, emptyDir: {}}]
                  containers:
                  - name: c
                    image: busybox
                    volumeMounts:
                    - {name: missing, mountPath: /a}
                    - {name: v, mountPath: /a, subPath: /abs, mountPropagation: Bidirectional}
                    - {name: v, mountPath: /b, subPath: x, subPathExpr: "$(X)", mountPropagation: Sideways}
                    - {name: v, mountPath: ""}
                """,
                [
                    "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
                    "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique",
                    "spec.containers[0].volumeMounts.subPath: Invalid value: \"/abs\": must be a relative path",
                    "spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers",
                    "spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: \"$(X)\": subPathExpr and subPath are mutually exclusive",
                    "spec.containers[0].volumeMounts.mountPropagation: Unsupported value: \"Sideways\": supported values: \"Bidirectional\", \"HostToContainer\", \"None\"",
                    "spec.containers[0].volumeMounts[3].mountPath: Required value",
                ]
            ),
        ]
        for (spec, expected) in rows {
            XCTAssertEqual(try podErrors(spec), expected)
        }
    }

    func testEnvSourceValidationMessages() throws {
        let got = try podErrors(
            """
              containers:
              - name: c
                image: busybox
                env:
                - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: B, valueFrom: {}}
                - {name: C, valueFrom: {fieldRef: {fieldPath: metadata.labels}}}
                - {name: D, valueFrom: {fieldRef: {fieldPath: "spec.containers['x']"}}}
                - {name: E, valueFrom: {configMapKeyRef: {name: cm, key: "bad key"}}}
                - {name: F, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 2}}}
                - {name: G, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
                - {name: H, valueFrom: {secretKeyRef: {name: s, key: k}, configMapKeyRef: {name: c, key: k}}}
                envFrom:
                - {prefix: "1X", configMapRef: {name: ok}}
                - {}
            """)
        XCTAssertEqual(got, [
            "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
            "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            "spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"",
            "spec.containers[0].env[3].valueFrom.fieldRef: Invalid value: \"spec.containers\": does not support subscript",
            "spec.containers[0].env[4].valueFrom.configMapKeyRef.key: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "spec.containers[0].env[5].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.cpu\": only divisor's values 1m and 1 are supported with the cpu resource",
            "spec.containers[0].env[6].valueFrom.resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", \"requests.ephemeral-storage\", \"requests.memory\"",
            "spec.containers[0].env[7].valueFrom: Invalid value: \"\": may not have more than one field specified at a time",
            "spec.containers[0].envFrom[0].prefix: Invalid value: \"1X\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
            "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
        ])
    }
}
