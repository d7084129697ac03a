import Foundation
import SwiftletKube
import XCTest

final class SecurityContextTests: XCTestCase {
    func validPod() -> Pod {
        Pod(metadata: ObjectMeta(name: "web"), spec: PodSpec(containers: [Container(name: "web", image: "busybox")]))
            .withDefaults()
    }

    func messages(_ mutate: (inout Pod) -> Void) -> [String] {
        var pod = validPod()
        mutate(&pod)
        return pod.validate().map(\.description)
    }

    func testDecodesEveryFieldAndRoundTrips() throws {
        let json = #"""
        {"metadata": {"name": "web"}, "spec": {
          "securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true,
            "supplementalGroups": [4000, 5000], "fsGroup": 2000, "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"},
            "sysctls": [{"name": "net.ipv4.ping_group_range", "value": "0 1"}],
            "seLinuxOptions": {"level": "s0:c123,c456"}},
          "containers": [{"name": "app", "image": "busybox", "securityContext": {
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "privileged": false,
            "runAsUser": 1001, "runAsGroup": 1002, "runAsNonRoot": true, "readOnlyRootFilesystem": true,
            "allowPrivilegeEscalation": false, "procMount": "Default",
            "seccompProfile": {"type": "RuntimeDefault"}}}]}}
        """#
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        let psc = try XCTUnwrap(pod.spec.securityContext)
        XCTAssertEqual(psc.runAsUser, 1000)
        XCTAssertEqual(psc.runAsGroup, 3000)
        XCTAssertEqual(psc.runAsNonRoot, true)
        XCTAssertEqual(psc.supplementalGroups, [4000, 5000])
        XCTAssertEqual(psc.fsGroup, 2000)
        XCTAssertEqual(psc.fsGroupChangePolicy, "OnRootMismatch")
        XCTAssertEqual(psc.seccompProfile, SeccompProfile(type: "Localhost", localhostProfile: "profiles/audit.json"))
        XCTAssertEqual(psc.sysctls, [Sysctl(name: "net.ipv4.ping_group_range", value: "0 1")])
        XCTAssertEqual(psc.seLinuxOptions?.level, "s0:c123,c456")
        let sc = try XCTUnwrap(pod.spec.containers.first?.securityContext)
        XCTAssertEqual(sc.capabilities, Capabilities(add: ["NET_BIND_SERVICE"], drop: ["ALL"]))
        XCTAssertEqual(sc.privileged, false)
        XCTAssertEqual(sc.runAsUser, 1001)
        XCTAssertEqual(sc.runAsGroup, 1002)
        XCTAssertEqual(sc.runAsNonRoot, true)
        XCTAssertEqual(sc.readOnlyRootFilesystem, true)
        XCTAssertEqual(sc.allowPrivilegeEscalation, false)
        XCTAssertEqual(sc.procMount, "Default")
        XCTAssertEqual(sc.seccompProfile?.type, "RuntimeDefault")
        XCTAssertEqual(pod.validate(), [])

        let again = try JSONDecoder().decode(Pod.self, from: JSONEncoder().encode(pod))
        XCTAssertEqual(again, pod)
    }

    func testSeccompProfileWithoutTypeDecodesForValidation() throws {
        let json = #"{"metadata": {"name": "web"}, "spec": {"securityContext": {"seccompProfile": {}},"#
            + #""containers": [{"name": "app", "image": "busybox"}]}}"#
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        XCTAssertEqual(
            pod.validate().map(\.description),
            ["spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set"])
    }

    func testValidationMessages() {
        let range = "must be between 0 and 2147483647, inclusive"
        let cases: [(String, (inout Pod) -> Void, [String])] = [
            ("valid full context", {
                $0.spec.securityContext = PodSecurityContext(
                    runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, supplementalGroups: [0, 2147483647], fsGroup: 1,
                    seccompProfile: SeccompProfile(type: "RuntimeDefault"))
                $0.spec.containers[0].securityContext = SecurityContext(
                    capabilities: Capabilities(add: ["ALL"]), privileged: true, procMount: "Unmasked",
                    seccompProfile: SeccompProfile(type: "Unconfined"))
            }, []),
            ("pod runAsUser negative", { $0.spec.securityContext = PodSecurityContext(runAsUser: -1) },
             ["spec.securityContext.runAsUser: Invalid value: -1: \(range)"]),
            ("pod runAsGroup too large", { $0.spec.securityContext = PodSecurityContext(runAsGroup: 2147483648) },
             ["spec.securityContext.runAsGroup: Invalid value: 2147483648: \(range)"]),
            ("supplementalGroups index", { $0.spec.securityContext = PodSecurityContext(supplementalGroups: [1, -5]) },
             ["spec.securityContext.supplementalGroups[1]: Invalid value: -5: \(range)"]),
            ("fsGroup", { $0.spec.securityContext = PodSecurityContext(fsGroup: -2) },
             ["spec.securityContext.fsGroup: Invalid value: -2: \(range)"]),
            ("fsGroupChangePolicy", {
                var psc = PodSecurityContext()
                psc.fsGroupChangePolicy = "Sometimes"
                $0.spec.securityContext = psc
            }, [#"spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch""#]),
            ("sysctls", {
                var psc = PodSecurityContext()
                psc.sysctls = [Sysctl(name: "", value: "1"), Sysctl(name: "a.b", value: "1"), Sysctl(name: "a.b", value: "2")]
                $0.spec.securityContext = psc
            }, ["spec.securityContext.sysctls[0].name: Required value",
                #"spec.securityContext.sysctls[2].name: Duplicate value: "a.b""#]),
            ("container runAsUser", { $0.spec.containers[0].securityContext = SecurityContext(runAsUser: -1) },
             ["spec.containers[0].securityContext.runAsUser: Invalid value: -1: \(range)"]),
            ("container runAsGroup", { $0.spec.containers[0].securityContext = SecurityContext(runAsGroup: -1) },
             ["spec.containers[0].securityContext.runAsGroup: Invalid value: -1: \(range)"]),
            ("procMount", { $0.spec.containers[0].securityContext = SecurityContext(procMount: "Masked") },
             [#"spec.containers[0].securityContext.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked""#]),
            ("seccomp type unsupported", {
                $0.spec.containers[0].securityContext = SecurityContext(seccompProfile: SeccompProfile(type: "runtime/default"))
            }, [#"spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "runtime/default": supported values: "Localhost", "RuntimeDefault", "Unconfined""#]),
            ("seccomp type required", {
                $0.spec.securityContext = PodSecurityContext(seccompProfile: SeccompProfile(type: ""))
            }, ["spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set"]),
            ("localhost requires profile", {
                $0.spec.securityContext = PodSecurityContext(seccompProfile: SeccompProfile(type: "Localhost"))
            }, ["spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"]),
            ("profile only with localhost", {
                $0.spec.containers[0].securityContext = SecurityContext(
                    seccompProfile: SeccompProfile(type: "RuntimeDefault", localhostProfile: "a.json"))
            }, [#"spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "a.json": can only be set when seccomp type is Localhost"#]),
            ("localhost absolute and backsteps", {
                $0.spec.securityContext = PodSecurityContext(
                    seccompProfile: SeccompProfile(type: "Localhost", localhostProfile: "/../../x.json"))
            }, [#"spec.securityContext.seccompProfile.localhostProfile: Invalid value: "/../../x.json": must be a relative path"#,
                #"spec.securityContext.seccompProfile.localhostProfile: Invalid value: "/../../x.json": must not contain '..'"#]),
            ("localhost dots inside a name are fine", {
                $0.spec.securityContext = PodSecurityContext(
                    seccompProfile: SeccompProfile(type: "Localhost", localhostProfile: "a..b/c.json"))
            }, []),
            ("privileged without escalation", {
                $0.spec.containers[0].securityContext = SecurityContext(privileged: true, allowPrivilegeEscalation: false)
            }, [#"spec.containers[0].securityContext: Invalid value: "privileged: true, allowPrivilegeEscalation: false": cannot set `allowPrivilegeEscalation` to false and `privileged` to true"#]),
            ("SYS_ADMIN without escalation", {
                $0.spec.containers[0].securityContext = SecurityContext(
                    capabilities: Capabilities(add: ["CAP_SYS_ADMIN"]), allowPrivilegeEscalation: false)
            }, [#"spec.containers[0].securityContext: Invalid value: "capabilities.add: CAP_SYS_ADMIN, allowPrivilegeEscalation: false": cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"#]),
            ("init containers are validated too", {
                $0.spec.initContainers = [Container(name: "init", image: "busybox")]
                $0.spec.initContainers?[0].securityContext = SecurityContext(runAsUser: -3)
            }, ["spec.initContainers[0].securityContext.runAsUser: Invalid value: -3: \(range)"]),
        ]
        for (name, mutate, expected) in cases {
            XCTAssertEqual(messages(mutate), expected, name)
        }
    }
}
