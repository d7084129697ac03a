import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class SecurityPodStandardsTests: XCTestCase {
    /// A pod that passes `restricted`; each case breaks it in one way.
    func restrictedPod() -> Pod {
        var c = Container(name: "app", image: "busybox")
        c.securityContext = SecurityContext(
            capabilities: Capabilities(add: ["NET_BIND_SERVICE"], drop: ["ALL"]), allowPrivilegeEscalation: false)
        var spec = PodSpec(containers: [c])
        spec.securityContext = PodSecurityContext(runAsNonRoot: true, seccompProfile: SeccompProfile(type: "RuntimeDefault"))
        return Pod(metadata: ObjectMeta(name: "web"), spec: spec)
    }

    func testCompliantPodAndPrivilegedLevel() {
        for level in PodSecurityLevel.allCases {
            XCTAssertEqual(podSecurityViolations(restrictedPod(), level: level), [], "\(level)")
        }
        var wild = restrictedPod()
        wild.spec.hostNetwork = true
        wild.spec.containers[0].securityContext = SecurityContext(privileged: true)
        XCTAssertEqual(podSecurityViolations(wild, level: .privileged), [])
        // Nothing set at all is fine for baseline.
        let plain = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [Container(name: "a", image: "x")]))
        XCTAssertEqual(podSecurityViolations(plain, level: .baseline), [])
    }

    func testBaselineViolations() {
        let cases: [(String, (inout Pod) -> Void, [String])] = [
            ("privileged", { $0.spec.containers[0].securityContext?.privileged = true },
             [#"privileged (container "app" must not set securityContext.privileged=true)"#]),
            ("privileged plural, init first", {
                var i = Container(name: "init", image: "x")
                i.securityContext = SecurityContext(privileged: true)
                $0.spec.initContainers = [i]
                $0.spec.containers[0].securityContext?.privileged = true
            }, [#"privileged (containers "init", "app" must not set securityContext.privileged=true)"#]),
            ("host namespaces", { $0.spec.hostNetwork = true; $0.spec.hostIPC = true; $0.spec.hostPID = false },
             ["host namespaces (hostNetwork=true, hostIPC=true)"]),
            ("one hostPort", {
                var p = ContainerPort(containerPort: 80)
                p.hostPort = 8080
                $0.spec.containers[0].ports = [p, ContainerPort(containerPort: 81)]
            }, [#"hostPort (container "app" uses hostPort 8080)"#]),
            ("hostPorts sorted as strings", {
                var a = ContainerPort(containerPort: 80)
                a.hostPort = 9000
                var b = ContainerPort(containerPort: 443)
                b.hostPort = 10443
                $0.spec.containers[0].ports = [a, b]
            }, [#"hostPort (container "app" uses hostPorts 10443, 9000)"#]),
            ("capabilities beyond baseline", {
                $0.spec.containers[0].securityContext?.capabilities = Capabilities(add: ["SYS_ADMIN", "NET_RAW", "CHOWN"])
            }, [#"non-default capabilities (container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)"#]),
            ("procMount", { $0.spec.containers[0].securityContext?.procMount = "Unmasked" },
             [#"procMount (container "app" must not set securityContext.procMount to "Unmasked")"#]),
            ("seccomp unconfined pod and container", {
                $0.spec.securityContext?.seccompProfile = SeccompProfile(type: "Unconfined")
                $0.spec.containers[0].securityContext?.seccompProfile = SeccompProfile(type: "Unconfined")
            }, [#"seccompProfile (pod and container "app" must not set securityContext.seccompProfile.type to "Unconfined")"#]),
            ("unsafe sysctl", {
                $0.spec.securityContext?.sysctls = [Sysctl(name: "kernel.msgmax", value: "1"), Sysctl(name: "net.ipv4.tcp_syncookies", value: "1")]
            }, ["forbidden sysctls (kernel.msgmax)"]),
        ]
        for (name, mutate, expected) in cases {
            var pod = restrictedPod()
            mutate(&pod)
            XCTAssertEqual(podSecurityViolations(pod, level: .baseline), expected, name)
        }
    }

    func testRestrictedViolations() {
        let cases: [(String, (inout Pod) -> Void, [String])] = [
            ("nothing set", {
                $0.spec.securityContext = nil
                $0.spec.containers[0].securityContext = nil
            }, [
                #"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)"#,
                #"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])"#,
                #"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)"#,
                #"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
            ]),
            ("adds beyond NET_BIND_SERVICE", {
                $0.spec.containers[0].securityContext?.capabilities = Capabilities(add: ["CHOWN"], drop: ["all"])
            }, [#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "CHOWN" in securityContext.capabilities.add)"#]),
            ("runAsNonRoot false wins over implicit", {
                $0.spec.securityContext?.runAsNonRoot = false
                var side = Container(name: "side", image: "x")
                side.securityContext = SecurityContext(
                    capabilities: Capabilities(drop: ["ALL"]), runAsNonRoot: false, allowPrivilegeEscalation: false)
                $0.spec.containers.append(side)
            }, [#"runAsNonRoot != true (pod and container "side" must not set securityContext.runAsNonRoot=false)"#]),
            ("runAsUser 0", {
                $0.spec.securityContext?.runAsUser = 0
                $0.spec.containers[0].securityContext?.runAsUser = 0
            }, [#"runAsUser=0 (pod and container "app" must not set runAsUser=0)"#]),
            ("seccomp Unconfined on container", {
                $0.spec.containers[0].securityContext?.seccompProfile = SeccompProfile(type: "Unconfined")
            }, [#"seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")"#]),
            ("seccomp Localhost on container only", {
                $0.spec.securityContext?.seccompProfile = nil
                $0.spec.containers[0].securityContext?.seccompProfile = SeccompProfile(type: "Localhost", localhostProfile: "a.json")
            }, []),
            ("baseline checks apply too", { $0.spec.hostPID = true },
             ["host namespaces (hostPID=true)"]),
        ]
        for (name, mutate, expected) in cases {
            var pod = restrictedPod()
            mutate(&pod)
            XCTAssertEqual(podSecurityViolations(pod, level: .restricted), expected, name)
        }
    }
}
