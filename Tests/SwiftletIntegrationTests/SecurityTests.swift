import Foundation
import SwiftletKube
import XCTest

/// Containers are confined by default; securityContext loosens or tightens that as on Kubernetes.
final class SecurityTests: IntegrationTestCase {
    /// containerd's 14 default capabilities as a CapEff mask.
    static let defaultCaps = "00000000a80425fb"

    func statusField(_ log: String, _ name: String) -> String? {
        log.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    func testDefaultPodIsConfined() throws {
        try harness.write(
            "confined.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: confined}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status; unshare -U true && echo unshare-ok || echo unshare-denied; mkdir -p /tmp/m; mount -t tmpfs none /tmp/m && echo mount-ok || echo mount-denied; echo timer_list=$(wc -c < /proc/timer_list) firmware=$(ls /sys/firmware | wc -l); echo 1 > /proc/sys/vm/drop_caches && echo sysctl-ok || echo sysctl-denied; echo nofile=$(ulimit -n); echo done; exec sleep 3600"]
            """)
        _ = try harness.waitForRunning("confined")
        let log = try harness.waitForLog("confined", "main", contains: "done")
        XCTAssertEqual(statusField(log, "CapEff"), Self.defaultCaps, log)
        XCTAssertEqual(statusField(log, "CapBnd"), Self.defaultCaps, log)
        XCTAssertEqual(statusField(log, "Seccomp"), "2", "RuntimeDefault by default: \(log)")
        XCTAssertTrue(log.contains("unshare-denied"), log)
        XCTAssertTrue(log.contains("mount-denied"), log)
        XCTAssertTrue(log.contains("timer_list=0 firmware=0"), "masked paths: \(log)")
        XCTAssertTrue(log.contains("sysctl-denied"), log)
        XCTAssertTrue(log.contains("nofile=1024"), "containerd's RLIMIT_NOFILE: \(log)")
    }

    func testNonRootDropAllReadOnlyRootAndNoNewPrivileges() throws {
        try harness.write(
            "tight.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: tight}
            spec:
              terminationGracePeriodSeconds: 0
              securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}
              containers:
              - name: main
                image: busybox
                securityContext:
                  allowPrivilegeEscalation: false
                  readOnlyRootFilesystem: true
                  capabilities: {drop: [ALL]}
                command: ["sh", "-c", "grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status; echo uid=$(id -u) gid=$(id -g) groups=$(id -G); touch /written && echo write-ok || echo write-denied; echo done; exec sleep 3600"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: mustbenonroot}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                securityContext: {runAsNonRoot: true}
                command: ["sleep", "3600"]
            """)
        let log = try harness.waitForLog("tight", "main", contains: "done")
        XCTAssertEqual(statusField(log, "CapEff"), "0000000000000000", log)
        XCTAssertEqual(statusField(log, "CapBnd"), "0000000000000000", log)
        XCTAssertEqual(statusField(log, "NoNewPrivs"), "1", log)
        XCTAssertTrue(log.contains("uid=1000 gid=3000"), log)
        XCTAssertTrue(log.contains("4000"), log)
        XCTAssertTrue(log.contains("write-denied"), log)
        let refused = try harness.waitForPod("mustbenonroot", "CreateContainerConfigError") {
            $0.status?.containerStatuses?.first?.state.waiting?.reason == "CreateContainerConfigError"
        }
        let message = refused.status?.containerStatuses?.first?.state.waiting?.message ?? ""
        XCTAssertTrue(message.contains("runAsNonRoot"), message)
    }

    func testPrivilegedLiftsConfinement() throws {
        try harness.write(
            "privileged.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: privileged}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                image: busybox
                securityContext: {privileged: true}
                command: ["sh", "-c", "grep -E '^(Seccomp):' /proc/self/status; mkdir -p /tmp/m; mount -t tmpfs none /tmp/m && echo mount-ok; echo timer_list=$(wc -c < /proc/timer_list); touch /sys/kernel && echo sys-rw; ls /dev | grep -q -E '^(vda|sda|loop0|kmsg)$' && echo host-devices; echo done; exec sleep 3600"]
            """)
        let log = try harness.waitForLog("privileged", "main", contains: "done")
        XCTAssertEqual(statusField(log, "Seccomp"), "0", log)
        XCTAssertTrue(log.contains("mount-ok"), log)
        XCTAssertFalse(log.contains("timer_list=0\n"), "nothing masked: \(log)")
        XCTAssertTrue(log.contains("sys-rw"), log)
        XCTAssertTrue(log.contains("host-devices"), log)
    }

    func testAPIPodsAreCheckedAgainstBaselineAndWritableManifestsAreRefused() throws {
        var container = Container(name: "main", image: "busybox", command: ["sleep", "3600"])
        container.securityContext = SecurityContext(privileged: true)
        var pod = Pod(metadata: ObjectMeta(name: "escalating"), spec: PodSpec(containers: [container]))
        pod.spec.hostNetwork = true
        XCTAssertThrowsError(try harness.client.createPod(pod)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("violates PodSecurity \"baseline:latest\""), text)
            XCTAssertTrue(text.contains("privileged"), text)
            XCTAssertTrue(text.contains("host namespaces"), text)
        }
        XCTAssertNil(harness.pod("escalating"))

        try harness.write(
            "open.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: open}
            spec:
              containers: [{name: main, image: busybox, command: ["sleep", "3600"]}]
            """)
        chmod(harness.manifests + "/open.yaml", 0o666)
        try harness.waitFor("the world-writable manifest to be refused", timeout: 10) {
            (try? self.harness.client.manifests().items.first { $0.path.hasSuffix("open.yaml") }?.error?.contains("refused")) == true
        }
    }
}
