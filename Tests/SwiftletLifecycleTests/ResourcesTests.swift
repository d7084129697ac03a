import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// A container with resources written as strings: `req: ["cpu": "100m"]`.
func resourced(
    _ name: String, req: [String: String] = [:], lim: [String: String] = [:], sidecar: Bool = false
) -> Container {
    var c = Container(name: name, image: "busybox")
    // Test tables are literals; a typo should fail loudly at the table, not later.
    let parse = { (m: [String: String]) in m.isEmpty ? nil : m.mapValues { try! Quantity(parsing: $0) } }
    if !req.isEmpty || !lim.isEmpty { c.resources = ResourceRequirements(limits: parse(lim), requests: parse(req)) }
    if sidecar { c.restartPolicy = "Always" }
    return c
}

func resourcedPod(_ containers: [Container], inits: [Container] = []) -> Pod {
    Pod(
        metadata: ObjectMeta(name: "web", namespace: "default", uid: "u1"),
        spec: PodSpec(containers: containers, initContainers: inits.isEmpty ? nil : inits))
}

final class ResourcesQoSTests: XCTestCase {
    func testQoSClassTable() {
        let cpuMem = ["cpu": "500m", "memory": "128Mi"]
        let table: [(String, Pod, QOSClass)] = [
            ("no resources", resourcedPod([resourced("a")]), .bestEffort),
            ("only extended", resourcedPod([resourced("a", req: ["example.com/gpu": "1"], lim: ["example.com/gpu": "1"])]), .bestEffort),
            ("zero requests", resourcedPod([resourced("a", req: ["cpu": "0"])]), .bestEffort),
            ("limits equal requests", resourcedPod([resourced("a", req: cpuMem, lim: cpuMem)]), .guaranteed),
            ("limits only: requests default to them", resourcedPod([resourced("a", lim: cpuMem)]), .guaranteed),
            ("request below limit", resourcedPod([resourced("a", req: ["cpu": "250m", "memory": "128Mi"], lim: cpuMem)]), .burstable),
            ("memory limit only", resourcedPod([resourced("a", lim: ["memory": "128Mi"])]), .burstable),
            ("one container best effort", resourcedPod([resourced("a", lim: cpuMem), resourced("b")]), .burstable),
            ("init container without limits", resourcedPod([resourced("a", lim: cpuMem)], inits: [resourced("i")]), .burstable),
            ("init container guaranteed", resourcedPod([resourced("a", lim: cpuMem)], inits: [resourced("i", lim: cpuMem)]), .guaranteed),
            ("request only", resourcedPod([resourced("a", req: ["memory": "10Mi"])]), .burstable),
            ("extended on guaranteed", resourcedPod([resourced("a", lim: cpuMem.merging(["example.com/gpu": "1"]) { a, _ in a })]), .guaranteed),
        ]
        for (name, pod, expected) in table {
            XCTAssertEqual(podQOSClass(pod), expected, name)
        }
    }

    func testOOMScoreAdjustTable() {
        let capacity: Int64 = 4 * 1024 * 1024 * 1024
        let burstable1Gi = resourced("a", req: ["memory": "1Gi"])
        var critical = resourcedPod([resourced("a")])
        critical.spec.priorityClassName = "system-node-critical"
        let sidecarSmall = resourced("s", req: ["cpu": "100m"], sidecar: true)
        let sidecarLarge = resourced("s", req: ["memory": "2Gi"], sidecar: true)
        let table: [(String, Pod, Container, Int)] = [
            ("guaranteed", resourcedPod([resourced("a", lim: ["cpu": "1", "memory": "1Gi"])]),
             resourced("a", lim: ["cpu": "1", "memory": "1Gi"]), -997),
            ("best effort", resourcedPod([resourced("a")]), resourced("a"), 1000),
            ("node critical", critical, resourced("a"), -997),
            ("burstable quarter", resourcedPod([burstable1Gi]), burstable1Gi, 750),
            ("burstable no memory request", resourcedPod([resourced("a", req: ["cpu": "1"])]), resourced("a", req: ["cpu": "1"]), 999),
            ("burstable tiny request", resourcedPod([resourced("a", req: ["memory": "10"])]), resourced("a", req: ["memory": "10"]), 999),
            ("burstable over capacity", resourcedPod([resourced("a", req: ["memory": "8Gi"])]), resourced("a", req: ["memory": "8Gi"]), 3),
            ("burstable integer division", resourcedPod([resourced("a", req: ["memory": "1G"])]), resourced("a", req: ["memory": "1G"]), 768),
            ("sidecar no higher than smallest app", resourcedPod([burstable1Gi], inits: [sidecarSmall]), sidecarSmall, 750),
            ("sidecar with larger request keeps its own", resourcedPod([burstable1Gi], inits: [sidecarLarge]), sidecarLarge, 500),
        ]
        for (name, pod, container, expected) in table {
            XCTAssertEqual(oomScoreAdjust(pod: pod, container: container, memoryCapacity: capacity), expected, name)
        }
        XCTAssertEqual(OOMScoreAdjust.sandbox, -998)
    }
}

final class ResourcesCgroupTests: XCTestCase {
    func testSharesQuotaAndWeightTables() {
        let shares: [(Int64, UInt64)] = [
            (0, 2), (1, 2), (2, 2), (100, 102), (250, 256), (500, 512), (1000, 1024), (2000, 2048), (4000, 4096),
            (256_000, 262_144), (300_000, 262_144),
        ]
        for (milli, expected) in shares { XCTAssertEqual(CgroupResources.shares(milliCPU: milli), expected, "\(milli)m") }
        let quotas: [(Int64, Int64?)] = [(0, nil), (1, 1000), (10, 1000), (100, 10_000), (250, 25_000), (1500, 150_000)]
        for (milli, expected) in quotas { XCTAssertEqual(CgroupResources.quota(milliCPU: milli), expected, "\(milli)m") }
    }

    func testContainerResources() {
        let table: [(String, Container, CgroupResources)] = [
            ("nothing", resourced("a"), CgroupResources(cpuShares: 2)),
            ("request and limit",
             resourced("a", req: ["cpu": "250m", "memory": "64Mi"], lim: ["cpu": "500m", "memory": "128Mi"]),
             CgroupResources(cpuShares: 256, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimit: 134_217_728, memoryRequest: 67_108_864)),
            ("limit only: request defaults to it", resourced("a", lim: ["cpu": "1"]),
             CgroupResources(cpuShares: 1024, cpuQuota: 100_000, cpuPeriod: 100_000)),
            ("tiny limit gets the minimum quota", resourced("a", lim: ["cpu": "5m"]),
             CgroupResources(cpuShares: 5, cpuQuota: 1000, cpuPeriod: 100_000)),
        ]
        for (name, container, expected) in table { XCTAssertEqual(CgroupResources.container(container), expected, name) }
    }

    func testPodResources() {
        let g = ["cpu": "1", "memory": "1Gi"]
        let table: [(String, Pod, CgroupResources)] = [
            ("best effort", resourcedPod([resourced("a")]), CgroupResources(cpuShares: 2, pidsLimit: 1024)),
            ("guaranteed sums", resourcedPod([resourced("a", lim: g), resourced("b", lim: g)]),
             CgroupResources(cpuShares: 2048, cpuQuota: 200_000, cpuPeriod: 100_000, memoryLimit: 2_147_483_648,
                             memoryRequest: 2_147_483_648, pidsLimit: 1024)),
            ("one container without cpu limit: no pod quota",
             resourcedPod([resourced("a", req: ["cpu": "500m"], lim: ["memory": "1Gi"]), resourced("b", lim: ["memory": "1Gi", "cpu": "1"])]),
             CgroupResources(cpuShares: 1536, memoryLimit: 2_147_483_648, memoryRequest: 2_147_483_648, pidsLimit: 1024)),
            ("init container without limits: no pod limits",
             resourcedPod([resourced("a", req: ["cpu": "100m"], lim: ["cpu": "200m", "memory": "1Gi"])], inits: [resourced("i")]),
             CgroupResources(cpuShares: 102, memoryRequest: 1_073_741_824, pidsLimit: 1024)),
            ("init max rule for shares",
             resourcedPod([resourced("a", req: ["cpu": "100m"])], inits: [resourced("i", req: ["cpu": "1"])]),
             CgroupResources(cpuShares: 1024, pidsLimit: 1024)),
        ]
        for (name, pod, expected) in table {
            XCTAssertEqual(CgroupResources.pod(pod, podPidsLimit: 1024), expected, name)
        }
        XCTAssertNil(CgroupResources.pod(resourcedPod([resourced("a")]), podPidsLimit: -1).pidsLimit)
    }

    func testPodRequestsAggregation() {
        func cpu(_ pod: Pod) -> String? { PodResources.requests(pod)["cpu"]?.canonicalString }
        let table: [(String, Pod, String?)] = [
            ("sum of app containers", resourcedPod([resourced("a", req: ["cpu": "100m"]), resourced("b", req: ["cpu": "200m"])]), "300m"),
            ("init container larger", resourcedPod([resourced("a", req: ["cpu": "100m"])], inits: [resourced("i", req: ["cpu": "500m"])]), "500m"),
            ("init container smaller", resourcedPod([resourced("a", req: ["cpu": "1"])], inits: [resourced("i", req: ["cpu": "500m"])]), "1"),
            ("sidecar adds to apps and to later inits",
             resourcedPod([resourced("a", req: ["cpu": "200m"])],
                          inits: [resourced("s", req: ["cpu": "100m"], sidecar: true), resourced("i", req: ["cpu": "300m"])]), "400m"),
            ("sidecar after init does not count for it",
             resourcedPod([resourced("a", req: ["cpu": "200m"])],
                          inits: [resourced("i", req: ["cpu": "300m"]), resourced("s", req: ["cpu": "100m"], sidecar: true)]), "300m"),
            ("none", resourcedPod([resourced("a")]), nil),
        ]
        for (name, pod, expected) in table { XCTAssertEqual(cpu(pod), expected, name) }
        XCTAssertEqual(PodResources.limits(resourcedPod([resourced("a", lim: ["memory": "1Gi"]), resourced("b", lim: ["memory": "512Mi"])]))["memory"]?.canonicalString, "1536Mi")
    }
}

final class ResourcesAdmissionTests: XCTestCase {
    func testAdmissionTable() {
        let node = NodeAllocatable(cpuMilli: 2000, memoryBytes: 4 * 1024 * 1024 * 1024)
        let using500m = resourcedPod([resourced("a", req: ["cpu": "500m", "memory": "1Gi"])])
        var windows = resourcedPod([resourced("a")])
        windows.spec.os = PodOS(name: "windows")
        var linux = windows
        linux.spec.os = PodOS(name: "linux")
        let table: [(String, Pod, [Pod], Bool, String?, String?)] = [
            ("windows pod on a linux node", windows, [], false, "PodOSNotSupported",
             "Failed to admit pod as the OS field doesn't match node OS"),
            ("linux pod", linux, [], true, nil, nil),
            ("fits", resourcedPod([resourced("a", req: ["cpu": "1"])]), [using500m], true, nil, nil),
            ("fits exactly", resourcedPod([resourced("a", req: ["cpu": "1500m", "memory": "3Gi"])]), [using500m], true, nil, nil),
            ("no requests always fit", resourcedPod([resourced("a")]), [using500m, using500m, using500m, using500m, using500m], true, nil, nil),
            ("cpu", resourcedPod([resourced("a", req: ["cpu": "3"])]), [using500m], false, "OutOfcpu",
             "Node didn't have enough resource: cpu, requested: 3000, used: 500, capacity: 2000"),
            ("memory", resourcedPod([resourced("a", req: ["memory": "4Gi"])]), [using500m], false, "OutOfmemory",
             "Node didn't have enough resource: memory, requested: 4294967296, used: 1073741824, capacity: 4294967296"),
            ("cpu reported before memory", resourcedPod([resourced("a", req: ["cpu": "2", "memory": "4Gi"])]), [using500m], false, "OutOfcpu",
             "Node didn't have enough resource: cpu, requested: 2000, used: 500, capacity: 2000"),
            ("init container counts", resourcedPod([resourced("a", req: ["cpu": "100m"])], inits: [resourced("i", req: ["cpu": "1600m"])]),
             [using500m], false, "OutOfcpu",
             "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000"),
            ("limits count as requests", resourcedPod([resourced("a", lim: ["cpu": "2500m"])]), [], false, "OutOfcpu",
             "Node didn't have enough resource: cpu, requested: 2500, used: 0, capacity: 2000"),
        ]
        for (name, pod, running, admitted, reason, message) in table {
            let result = admit(pod: pod, running: running, allocatable: node)
            XCTAssertEqual(result.admitted, admitted, name)
            XCTAssertEqual(result.reason, reason, name)
            XCTAssertEqual(result.message, message, name)
        }
    }
}
