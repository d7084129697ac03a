import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// The kubelet's `makeEnvironmentVariables` and the volume payloads, as tables.
final class EnvResolverTests: XCTestCase {
    let allocatable = NodeAllocatable(cpuMilli: 2000, memoryBytes: 4 << 30)

    func pod(_ env: [EnvVar], envFrom: [EnvFromSource]? = nil, resources: ResourceRequirements? = nil) -> Pod {
        var c = Container(name: "c", image: "busybox")
        c.env = env
        c.envFrom = envFrom
        c.resources = resources
        var p = Pod(metadata: ObjectMeta(name: "web", namespace: "prod", uid: "u1", labels: ["app": "web"]), spec: PodSpec(containers: [c]))
        p.spec.nodeName = "node-a"
        return p
    }

    func resolve(_ pod: Pod, objects: ConfigObjects = ConfigObjects(), status: PodStatus? = nil) throws -> [String: String] {
        try EnvResolver.resolve(pod: pod, container: pod.spec.containers[0], status: status, objects: objects, allocatable: allocatable).map
    }

    /// https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
    func testDocsDependentVariables() throws {
        let env = try resolve(pod([
            EnvVar(name: "SERVICE_PORT", value: "80"),
            EnvVar(name: "SERVICE_IP", value: "172.17.0.1"),
            EnvVar(name: "UNCHANGED_REFERENCE", value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
            EnvVar(name: "PROTOCOL", value: "https"),
            EnvVar(name: "SERVICE_ADDRESS", value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
            EnvVar(name: "ESCAPED_REFERENCE", value: "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
        ]))
        XCTAssertEqual(env["UNCHANGED_REFERENCE"], "$(PROTOCOL)://172.17.0.1:80")
        XCTAssertEqual(env["SERVICE_ADDRESS"], "https://172.17.0.1:80")
        XCTAssertEqual(env["ESCAPED_REFERENCE"], "$(PROTOCOL)://172.17.0.1:80")
    }

    func testFieldAndResourceReferences() throws {
        func field(_ path: String) -> EnvVar { EnvVar(name: path, value: nil, valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: path, apiVersion: "v1"))) }
        func resource(_ r: String, _ divisor: String?) -> EnvVar {
            EnvVar(name: r + "/" + (divisor ?? "-"), value: nil, valueFrom: EnvVarSource(
                resourceFieldRef: ResourceFieldSelector(resource: r, divisor: try! divisor.map { try Quantity(parsing: $0) })))
        }
        var status = PodStatus(phase: .running)
        status.podIP = "10.0.0.5"
        status.podIPs = [HostIP(ip: "10.0.0.5"), HostIP(ip: "fd00::5")]
        status.hostIP = "192.168.1.2"
        let resources = ResourceRequirements(
            limits: ["cpu": try Quantity(parsing: "500m"), "memory": try Quantity(parsing: "64Mi")],
            requests: ["cpu": try Quantity(parsing: "250m")])
        let env = try resolve(pod([
            field("metadata.name"), field("metadata.namespace"), field("metadata.uid"), field("metadata.labels['app']"),
            field("metadata.labels['none']"), field("spec.nodeName"), field("status.podIP"), field("status.podIPs"),
            field("status.hostIP"), resource("limits.cpu", nil), resource("limits.cpu", "1m"), resource("requests.cpu", nil),
            resource("requests.cpu", "1m"), resource("limits.memory", "1Mi"), resource("limits.memory", nil),
            resource("requests.memory", nil),
        ], resources: resources), status: status)
        let expected: [String: String] = [
            "metadata.name": "web", "metadata.namespace": "prod", "metadata.uid": "u1", "metadata.labels['app']": "web",
            "metadata.labels['none']": "", "spec.nodeName": "node-a", "status.podIP": "10.0.0.5",
            "status.podIPs": "10.0.0.5,fd00::5", "status.hostIP": "192.168.1.2", "limits.cpu/-": "1", "limits.cpu/1m": "500",
            "requests.cpu/-": "1", "requests.cpu/1m": "250", "limits.memory/1Mi": "64", "limits.memory/-": "67108864",
            "requests.memory/-": "0",
        ]
        XCTAssertEqual(env, expected)
        // Unset limits default to the node's allocatable (defaultPodLimitsForDownwardAPI).
        let defaulted = try resolve(pod([resource("limits.cpu", "1m"), resource("limits.memory", nil)]))
        XCTAssertEqual(defaulted, ["limits.cpu/1m": "2000", "limits.memory/-": String(4 << 30)])
    }

    func testConfigMapAndSecretSourcesWithTheKubeletsMessages() throws {
        let objects = ConfigObjects(
            configMaps: ["cfg": ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["mode": "fast", "bad key": "x"])],
            secrets: ["sec": Secret(metadata: ObjectMeta(name: "sec"), data: ["token": "YWJj"])])
        let cmKey = { (name: String, key: String, optional: Bool?) in
            EnvVar(name: "V", value: nil, valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(name: name, key: key, optional: optional)))
        }
        let secretKey = { (name: String, key: String, optional: Bool?) in
            EnvVar(name: "V", value: nil, valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(name: name, key: key, optional: optional)))
        }
        let rows: [(EnvVar, Result<String?, ContainerConfigError>)] = [
            (cmKey("cfg", "mode", nil), .success("fast")),
            (cmKey("nope", "mode", nil), .failure(ContainerConfigError("configmap \"nope\" not found"))),
            (cmKey("nope", "mode", true), .success(nil)),
            (cmKey("cfg", "x", nil), .failure(ContainerConfigError("couldn't find key x in ConfigMap prod/cfg"))),
            (cmKey("cfg", "x", true), .success(nil)),
            (secretKey("sec", "token", nil), .success("abc")),
            (secretKey("nope", "token", false), .failure(ContainerConfigError("secret \"nope\" not found"))),
            (secretKey("sec", "x", nil), .failure(ContainerConfigError("couldn't find key x in Secret prod/sec"))),
        ]
        for (variable, expected) in rows {
            let got: Result<String?, ContainerConfigError>
            do { got = .success(try resolve(pod([variable]), objects: objects)["V"]) } catch let e as ContainerConfigError {
                got = .failure(e)
            }
            XCTAssertEqual(got, expected, "\(variable)")
        }
        let sources = [
            EnvFromSource(prefix: "CFG_", configMapRef: LocalObjectReference(name: "cfg")),
            EnvFromSource(secretRef: LocalObjectReference(name: "sec")),
            EnvFromSource(configMapRef: LocalObjectReference(name: "gone", optional: true)),
        ]
        let withSources = pod([EnvVar(name: "M", value: "$(CFG_mode)")], envFrom: sources)
        let full = try EnvResolver.resolve(
            pod: withSources, container: withSources.spec.containers[0], status: nil, objects: objects, allocatable: allocatable)
        XCTAssertEqual(full.map, ["CFG_mode": "fast", "token": "abc", "M": "fast"])
        XCTAssertEqual(full.skipped, [
            "Keys [bad key] from the EnvFrom configMap prod/cfg were skipped since they are considered invalid environment variable names."
        ])
    }

    func testVolumePayloads() throws {
        let objects = ConfigObjects(
            configMaps: ["cfg": ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["a": "1", "b": "2"])],
            secrets: ["sec": Secret(metadata: ObjectMeta(name: "sec"), data: ["token": "YWJj"])])
        let p = pod([])
        func payload(_ v: Volume) throws -> [String: FileProjection]? {
            try VolumePayload.make(v.withDefaults, pod: p, status: nil, objects: objects, allocatable: allocatable)
        }
        var all = Volume(name: "v")
        all.configMap = ConfigMapVolumeSource(name: "cfg")
        XCTAssertEqual(try payload(all), ["a": FileProjection(data: [49], mode: 0o644), "b": FileProjection(data: [50], mode: 0o644)])
        var items = Volume(name: "v")
        items.secret = SecretVolumeSource(secretName: "sec", items: [KeyToPath(key: "token", path: "dir/t", mode: 0o400)], defaultMode: 0o600)
        XCTAssertEqual(try payload(items), ["dir/t": FileProjection(data: Array("abc".utf8), mode: 0o400)])
        var missingKey = Volume(name: "v")
        missingKey.configMap = ConfigMapVolumeSource(name: "cfg", items: [KeyToPath(key: "z", path: "z")])
        XCTAssertThrowsError(try payload(missingKey)) {
            XCTAssertEqual("\($0)", "MountVolume.SetUp failed for volume \"v\" : configmap references non-existent config key: z")
        }
        var missing = Volume(name: "v")
        missing.secret = SecretVolumeSource(secretName: "nope")
        XCTAssertThrowsError(try payload(missing)) {
            XCTAssertEqual("\($0)", "MountVolume.SetUp failed for volume \"v\" : secret \"nope\" not found")
        }
        missing.secret?.optional = true
        XCTAssertEqual(try payload(missing), [:])
        var downward = Volume(name: "v")
        downward.downwardAPI = DownwardAPIVolumeSource(items: [
            DownwardAPIVolumeFile(path: "labels", fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels")),
            DownwardAPIVolumeFile(path: "cpu", resourceFieldRef: ResourceFieldSelector(resource: "limits.cpu", containerName: "c", divisor: try Quantity(parsing: "1m"))),
        ])
        XCTAssertEqual(try payload(downward), [
            "labels": FileProjection(data: Array("app=\"web\"".utf8), mode: 0o644),
            "cpu": FileProjection(data: Array("2000".utf8), mode: 0o644),
        ])
        var projected = Volume(name: "v")
        projected.projected = ProjectedVolumeSource(sources: [
            VolumeProjection(configMap: ConfigMapProjection(name: "cfg", items: [KeyToPath(key: "a", path: "a")])),
            VolumeProjection(secret: SecretProjection(name: "sec")),
        ], defaultMode: 0o440)
        XCTAssertEqual(try payload(projected), [
            "a": FileProjection(data: [49], mode: 0o440), "token": FileProjection(data: Array("abc".utf8), mode: 0o440),
        ])
    }
}

extension Volume {
    var withDefaults: Volume {
        var p = PodSpec(containers: [])
        p.volumes = [self]
        p.applyDefaults()
        return p.volumes?[0] ?? self
    }
}
