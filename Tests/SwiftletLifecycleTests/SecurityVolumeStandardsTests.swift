import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// PSA's `hostPathVolumes` (baseline) and `restrictedVolumes` (restricted) checks.
final class SecurityVolumeStandardsTests: XCTestCase {
    func pod(_ volumes: [Volume]) -> Pod {
        var c = Container(name: "app", image: "busybox")
        c.securityContext = SecurityContext(capabilities: Capabilities(drop: ["ALL"]), allowPrivilegeEscalation: false)
        var spec = PodSpec(containers: [c])
        spec.securityContext = PodSecurityContext(runAsNonRoot: true, seccompProfile: SeccompProfile(type: "RuntimeDefault"))
        spec.volumes = volumes
        return Pod(metadata: ObjectMeta(name: "web"), spec: spec)
    }

    func testHostPathIsRefusedByBaselineAndRestricted() {
        var host = Volume(name: "host")
        host.hostPath = HostPathVolumeSource(path: "/var/log")
        var host2 = Volume(name: "logs")
        host2.hostPath = HostPathVolumeSource(path: "/var/lib")
        var cache = Volume(name: "cache")
        cache.emptyDir = EmptyDirVolumeSource()
        var cfg = Volume(name: "cfg")
        cfg.configMap = ConfigMapVolumeSource(name: "c")
        XCTAssertEqual(podSecurityViolations(pod([cache, cfg]), level: .restricted), [])
        XCTAssertEqual(podSecurityViolations(pod([cache, host]), level: .baseline), ["hostPath volumes (volume \"host\")"])
        XCTAssertEqual(podSecurityViolations(pod([host, host2]), level: .baseline), ["hostPath volumes (volumes \"host\", \"logs\")"])
        XCTAssertEqual(
            podSecurityViolations(pod([host, cache]), level: .restricted),
            ["restricted volume types (volume \"host\" uses restricted volume type \"hostPath\")"])
        XCTAssertEqual(
            podSecurityViolations(pod([host, host2]), level: .restricted),
            ["restricted volume types (volumes \"host\", \"logs\" use restricted volume type \"hostPath\")"])
    }
}
