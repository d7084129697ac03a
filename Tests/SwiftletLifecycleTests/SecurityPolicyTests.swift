import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class SecurityPolicyTests: XCTestCase {
    static let defaultCaps = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE",
        "CAP_SETFCAP",
    ]
    static let allCaps = LinuxCapability.all.map(\.name)

    func pod(_ sc: SecurityContext? = nil, pod psc: PodSecurityContext? = nil) -> Pod {
        var c = Container(name: "app", image: "busybox")
        c.securityContext = sc
        var spec = PodSpec(containers: [c])
        spec.securityContext = psc
        return Pod(metadata: ObjectMeta(name: "web", namespace: "prod", uid: "u-1"), spec: spec)
    }

    func resolve(
        _ pod: Pod, imageUser: String = "", imageUID: Int64? = nil, defaultSeccomp: SeccompChoice = .runtimeDefault
    ) throws -> ContainerSecurity {
        try SecurityPolicy.resolve(
            pod: pod, container: pod.spec.containers[0], imageUser: imageUser, imageUID: imageUID,
            defaultSeccomp: defaultSeccomp)
    }

    func testCapabilityNumbers() {
        XCTAssertEqual(LinuxCapability.all.count, 41)
        XCTAssertEqual(LinuxCapability.all.map(\.number), Array(0...40))
        XCTAssertEqual(Set(LinuxCapability.all.map(\.name)).count, 41)
        let cases: [(String, Int?)] = [
            ("CAP_CHOWN", 0), ("chown", 0), ("Net_Admin", 12), ("cap_sys_admin", 21), ("SYS_ADMIN", 21),
            ("CHECKPOINT_RESTORE", 40), ("BPF", 39), ("CAP_", nil), ("", nil), ("NOPE", nil), ("ALL", nil),
        ]
        for (name, number) in cases { XCTAssertEqual(LinuxCapability.number(name), number, name) }
        XCTAssertEqual(LinuxCapability.containerdDefault.count, 14)
        XCTAssertEqual(Set(LinuxCapability.containerdDefault), Set(Self.defaultCaps))
    }

    func testCapabilitySets() throws {
        let kernelOrderDefault = Self.allCaps.filter(Self.defaultCaps.contains)
        let cases: [(String, SecurityContext?, Int64?, bounding: [String], effective: [String])] = [
            ("default root", nil, nil, kernelOrderDefault, kernelOrderDefault),
            ("drop ALL + add NET_BIND_SERVICE",
             SecurityContext(capabilities: Capabilities(add: ["NET_BIND_SERVICE"], drop: ["ALL"])), nil,
             ["CAP_NET_BIND_SERVICE"], ["CAP_NET_BIND_SERVICE"]),
            ("drop all lower-case", SecurityContext(capabilities: Capabilities(drop: ["all"])), nil, [], []),
            ("add ALL", SecurityContext(capabilities: Capabilities(add: ["ALL"])), nil, Self.allCaps, Self.allCaps),
            ("add ALL drop CHOWN", SecurityContext(capabilities: Capabilities(add: ["ALL"], drop: ["CHOWN"])), nil,
             Array(Self.allCaps.dropFirst()), Array(Self.allCaps.dropFirst())),
            ("add ALL and drop ALL: drop wins", SecurityContext(capabilities: Capabilities(add: ["ALL"], drop: ["ALL"])),
             nil, [], []),
            ("drop beats add of the same", SecurityContext(capabilities: Capabilities(add: ["NET_ADMIN"], drop: ["NET_ADMIN", "NET_RAW"])),
             nil, kernelOrderDefault.filter { $0 != "CAP_NET_RAW" }, kernelOrderDefault.filter { $0 != "CAP_NET_RAW" }),
            ("add SYS_ADMIN and unknown", SecurityContext(capabilities: Capabilities(add: ["sys_admin", "BOGUS"])), nil,
             Self.allCaps.filter { Self.defaultCaps.contains($0) || $0 == "CAP_SYS_ADMIN" },
             Self.allCaps.filter { Self.defaultCaps.contains($0) || $0 == "CAP_SYS_ADMIN" }),
            ("non-root uid keeps only bounding", SecurityContext(runAsUser: 1000), nil, kernelOrderDefault, []),
            ("non-root image uid", nil, 1000, kernelOrderDefault, []),
            ("privileged", SecurityContext(capabilities: Capabilities(drop: ["ALL"]), privileged: true), nil,
             Self.allCaps, Self.allCaps),
            ("privileged non-root", SecurityContext(privileged: true, runAsUser: 7), nil, Self.allCaps, []),
        ]
        for (name, sc, imageUID, bounding, effective) in cases {
            let s = try resolve(pod(sc), imageUID: imageUID)
            XCTAssertEqual(s.bounding, bounding, name)
            XCTAssertEqual(s.effective, effective, name)
            XCTAssertEqual(s.permitted, effective, name)
            XCTAssertEqual(s.inheritable, [], name)
            XCTAssertEqual(s.ambient, [], name)
        }
    }

    func testPathsAndPrivilege() throws {
        let cases: [(String, SecurityContext?, masked: Bool, privileged: Bool, nnp: Bool)] = [
            ("default", nil, true, false, false),
            ("procMount Default", SecurityContext(procMount: "Default"), true, false, false),
            ("procMount Unmasked", SecurityContext(procMount: "Unmasked"), false, false, false),
            ("privileged", SecurityContext(privileged: true), false, true, false),
            ("no escalation", SecurityContext(allowPrivilegeEscalation: false), true, false, true),
            ("escalation allowed explicitly", SecurityContext(allowPrivilegeEscalation: true), true, false, false),
        ]
        for (name, sc, masked, privileged, nnp) in cases {
            let s = try resolve(pod(sc))
            XCTAssertEqual(s.maskedPaths, masked ? ContainerSecurity.defaultMaskedPaths : [], name)
            XCTAssertEqual(s.readonlyPaths, masked ? ContainerSecurity.defaultReadonlyPaths : [], name)
            XCTAssertEqual(s.privileged, privileged, name)
            XCTAssertEqual(s.noNewPrivileges, nnp, name)
        }
        XCTAssertEqual(ContainerSecurity.defaultMaskedPaths.count, 11)
        XCTAssertTrue(ContainerSecurity.defaultMaskedPaths.contains("/sys/devices/virtual/powercap"))
        XCTAssertEqual(try resolve(pod(SecurityContext(readOnlyRootFilesystem: true))).readOnlyRootFilesystem, true)
        XCTAssertEqual(try resolve(pod()).readOnlyRootFilesystem, false)
    }

    func testSeccompPrecedence() throws {
        let rd = SeccompProfile(type: "RuntimeDefault")
        let un = SeccompProfile(type: "Unconfined")
        let lh = SeccompProfile(type: "Localhost", localhostProfile: "profiles/a.json")
        let cases: [(String, SeccompProfile?, SeccompProfile?, SeccompChoice, Bool, SeccompChoice)] = [
            ("nothing set: swiftlet default", nil, nil, .runtimeDefault, false, .runtimeDefault),
            ("nothing set: kubelet default", nil, nil, .unconfined, false, .unconfined),
            ("pod only", nil, lh, .runtimeDefault, false, .localhost("profiles/a.json")),
            ("container over pod", un, rd, .runtimeDefault, false, .unconfined),
            ("container over default", rd, nil, .unconfined, false, .runtimeDefault),
            ("container localhost", lh, un, .unconfined, false, .localhost("profiles/a.json")),
            ("privileged is unconfined", rd, lh, .runtimeDefault, true, .unconfined),
        ]
        for (name, container, podProfile, fallback, privileged, expected) in cases {
            var sc = SecurityContext(seccompProfile: container)
            if privileged { sc.privileged = true }
            let s = try resolve(pod(sc, pod: PodSecurityContext(seccompProfile: podProfile)), defaultSeccomp: fallback)
            XCTAssertEqual(s.seccomp, expected, name)
        }
        XCTAssertThrowsError(try resolve(pod(SecurityContext(seccompProfile: SeccompProfile(type: "Localhost")))))
    }

    func testUserAndGroups() throws {
        let cases: [(String, SecurityContext?, PodSecurityContext?, String, uid: Int64, gid: Int64, groups: [Int64])] = [
            ("image without USER is root", nil, nil, "", 0, 0, []),
            ("numeric image user and group", nil, nil, "1000:1001", 1000, 1001, []),
            ("pod runAsUser over image", nil, PodSecurityContext(runAsUser: 5), "1000:1001", 5, 0, []),
            ("container over pod", SecurityContext(runAsUser: 6, runAsGroup: 7),
             PodSecurityContext(runAsUser: 5, runAsGroup: 8), "", 6, 7, []),
            ("pod runAsGroup with image user", nil, PodSecurityContext(runAsGroup: 9), "1000:1001", 1000, 9, []),
            ("fsGroup first, then supplemental", nil, PodSecurityContext(supplementalGroups: [30, 20, 30], fsGroup: 20),
             "", 0, 0, [20, 30]),
        ]
        for (name, sc, psc, user, uid, gid, groups) in cases {
            let s = try resolve(pod(sc, pod: psc), imageUser: user)
            XCTAssertEqual(s.uid, uid, name)
            XCTAssertEqual(s.gid, gid, name)
            XCTAssertEqual(s.supplementalGroups, groups, name)
        }
        XCTAssertEqual(try resolve(pod(), imageUser: "nginx", imageUID: 101).uid, 101)
        XCTAssertThrowsError(try resolve(pod(), imageUser: "nginx")) { error in
            XCTAssertEqual((error as? SecurityContextError)?.reason, "CreateContainerConfigError")
        }
    }

    func testRunAsNonRootMessages() {
        let ref = #"(pod: "web_prod(u-1)", container: app)"#
        let nonRoot = SecurityContext(runAsNonRoot: true)
        let cases: [(String, SecurityContext?, PodSecurityContext?, String, Int64?, String?)] = [
            ("image root", nonRoot, nil, "", nil, "container has runAsNonRoot and image will run as root \(ref)"),
            ("image uid 0 explicit", nonRoot, nil, "0", nil, "container has runAsNonRoot and image will run as root \(ref)"),
            ("resolved name to root", nonRoot, nil, "root", 0, "container has runAsNonRoot and image will run as root \(ref)"),
            ("non-numeric", nonRoot, nil, "nginx", nil,
             "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root \(ref)"),
            ("pod-level runAsNonRoot", nil, PodSecurityContext(runAsNonRoot: true), "", nil,
             "container has runAsNonRoot and image will run as root \(ref)"),
            ("runAsUser 0", SecurityContext(runAsUser: 0, runAsNonRoot: true), nil, "1000", nil,
             "container's runAsUser breaks non-root policy \(ref)"),
            ("container false overrides pod true", SecurityContext(runAsNonRoot: false),
             PodSecurityContext(runAsNonRoot: true), "", nil, nil),
            ("runAsUser non-zero", SecurityContext(runAsUser: 1000, runAsNonRoot: true), nil, "nginx", nil, nil),
            ("numeric image user", nonRoot, nil, "1000", nil, nil),
            ("resolved name", nonRoot, nil, "nginx", 101, nil),
        ]
        for (name, sc, psc, user, uid, message) in cases {
            do {
                let s = try resolve(pod(sc, pod: psc), imageUser: user, imageUID: uid)
                XCTAssertNil(message, "\(name): resolved to uid \(s.uid)")
            } catch {
                XCTAssertEqual((error as? SecurityContextError)?.message, message, name)
                XCTAssertEqual((error as? SecurityContextError)?.reason, "CreateContainerConfigError", name)
            }
        }
    }
}
