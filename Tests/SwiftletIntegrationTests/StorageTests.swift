import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// Env, ConfigMaps, Secrets, the downward API and volumes, checked from inside real containers.
final class StorageTests: IntegrationTestCase {
    func waiting(_ pod: Pod?, _ container: String) -> ContainerStateWaiting? {
        ((pod?.status?.initContainerStatuses ?? []) + (pod?.status?.containerStatuses ?? []))
            .first { $0.name == container }?.state.waiting
    }

    func testTwoContainersShareAnEmptyDir() throws {
        try harness.write(
            "share.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: share}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: logs
                emptyDir: {}
              containers:
              - name: writer
                image: busybox
                command: ["sh", "-c", "i=0; while true; do i=$$((i+1)); echo line-$$i >> /var/log/app/out.log; sleep 0.2; done"]
                volumeMounts: [{name: logs, mountPath: /var/log/app}]
              - name: watcher
                image: busybox
                command: ["sh", "-c", "until grep -q line-3 /logs/out.log 2>/dev/null; do sleep 0.1; done; echo watcher-saw-line-3; exec sleep 3600"]
                volumeMounts: [{name: logs, mountPath: /logs, readOnly: true}]
            """)
        _ = try harness.waitForRunning("share")
        _ = try harness.waitForLog("share", "watcher", contains: "watcher-saw-line-3")
    }

    func testEnvFromLiteralsFieldsResourcesConfigMapsAndSecrets() throws {
        // The dependent-variables example of the Kubernetes docs, plus every other source.
        try harness.write(
            "env.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app-config}
            data:
              log_level: debug
              mode: fast
              bad-key: skipped
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: app-secret}
            data:
              password: czNjcjN0
            stringData:
              user: admin
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: envs
              labels: {tier: backend}
              annotations: {owner: team-a}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "env | sort; echo args=$(SERVICE_ADDRESS)"]
                resources:
                  requests: {cpu: 250m, memory: 32Mi}
                  limits: {cpu: 500m, memory: 64Mi}
                envFrom:
                - prefix: CFG_
                  configMapRef: {name: app-config}
                - secretRef: {name: app-secret}
                env:
                - {name: SERVICE_PORT, value: "80"}
                - {name: SERVICE_IP, value: "172.17.0.1"}
                - {name: UNCHANGED_REFERENCE, value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
                - {name: PROTOCOL, value: "https"}
                - {name: SERVICE_ADDRESS, value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
                - {name: ESCAPED_REFERENCE, value: "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
                - {name: MY_POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: MY_POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                - {name: MY_TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
                - {name: MY_OWNER, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['owner']"}}}
                - {name: MY_NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
                - {name: CPU_LIMIT_MILLI, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
                - {name: CPU_REQUEST, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}
                - {name: MEM_LIMIT_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                - {name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: app-config, key: log_level}}}
                - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}
                - {name: OPTIONAL_MISSING, valueFrom: {configMapKeyRef: {name: app-config, key: nope, optional: true}}}
            """)
        try harness.waitForPod("envs", timeout: 30, "Succeeded") { $0.status?.phase == .succeeded }
        let log = harness.logs("envs", "main")
        let lines = Set(log.split(separator: "\n").map(String.init))
        let expected = [
            "SERVICE_PORT=80", "SERVICE_IP=172.17.0.1",
            "UNCHANGED_REFERENCE=$(PROTOCOL)://172.17.0.1:80", "SERVICE_ADDRESS=https://172.17.0.1:80",
            "ESCAPED_REFERENCE=$(PROTOCOL)://172.17.0.1:80", "MY_POD_NAME=envs", "MY_POD_NAMESPACE=default",
            "MY_TIER=backend", "MY_OWNER=team-a", "MY_NODE=it-node", "CPU_LIMIT_MILLI=500", "CPU_REQUEST=1",
            "MEM_LIMIT_MI=64", "LOG_LEVEL=debug", "DB_PASSWORD=s3cr3t", "CFG_log_level=debug", "CFG_mode=fast",
            "password=s3cr3t", "user=admin", "args=https://172.17.0.1:80",
        ]
        for line in expected { XCTAssertTrue(lines.contains(line), "missing \(line) in:\n\(log)") }
        XCTAssertFalse(log.contains("OPTIONAL_MISSING"), log)
        XCTAssertFalse(log.contains("CFG_bad-key"), "not a valid variable name? \(log)")
    }

    func testConfigMapUpdateReachesRunningPodAtomicallyButEnvDoesNot() throws {
        func configMap(_ version: String) -> String {
            // A large value, so a non-atomic write would be seen half-done.
            let body = String(repeating: "    \(version)\n", count: 20000)
            return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: live}\ndata:\n  version: \(version)\n  big: |\n\(body)"
        }
        try harness.write("live-cm.yaml", configMap("v1"))
        try harness.write(
            "live.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: live}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: cfg
                configMap: {name: live}
              containers:
              - name: main
                image: busybox
                env:
                - {name: VERSION, valueFrom: {configMapKeyRef: {name: live, key: version}}}
                volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
                command:
                - sh
                - -c
                - |
                  echo started-with=$(cat /etc/cfg/version) env=$VERSION
                  while true; do
                    n=$(sort -u /etc/cfg/big | wc -l)
                    [ "$n" = 1 ] || echo TORN-$n
                    if [ "$(cat /etc/cfg/version)" = v2 ] && grep -q v2 /etc/cfg/big; then echo updated env=$VERSION; break; fi
                  done
                  touch /etc/cfg/x 2>/dev/null && echo WRITABLE || echo read-only
                  exec sleep 3600
            """)
        _ = try harness.waitForRunning("live")
        _ = try harness.waitForLog("live", "main", contains: "started-with=v1 env=v1")
        try harness.write("live-cm.yaml", configMap("v2"))
        let log = try harness.waitForLog("live", "main", contains: "read-only", timeout: 30)
        XCTAssertTrue(log.contains("updated env=v1"), "env keeps the value from the start: \(log)")
        XCTAssertFalse(log.contains("TORN"), "a reader saw a half-updated file: \(log)")
        XCTAssertFalse(log.contains("WRITABLE"), log)
    }

    func testMissingSecretIsCreateContainerConfigErrorUntilItAppears() throws {
        try harness.write(
            "needs-secret.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: needs-secret}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "echo token=$TOKEN; exec sleep 3600"]
                env:
                - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
            """)
        try harness.waitForPod("needs-secret", timeout: 30, "CreateContainerConfigError") {
            self.waiting($0, "main")?.reason == "CreateContainerConfigError"
        }
        XCTAssertEqual(waiting(harness.pod("needs-secret"), "main")?.message, "secret \"creds\" not found")
        XCTAssertEqual(harness.pod("needs-secret")?.status?.phase, .pending)
        // Present but without the key: the kubelet's second message.
        _ = try harness.client.createObject(Secret(metadata: ObjectMeta(name: "creds"), stringData: ["other": "x"]))
        try harness.waitForPod("needs-secret", timeout: 30, "missing key") {
            self.waiting($0, "main")?.message == "couldn't find key token in Secret default/creds"
        }
        try harness.client.deleteObject(Secret.self, namespace: "default", name: "creds")
        // Dropping the file in starts the pod without waiting out a back-off.
        try harness.write(
            "creds.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {token: abc123}\n")
        _ = try harness.waitForRunning("needs-secret", timeout: 20)
        _ = try harness.waitForLog("needs-secret", "main", contains: "token=abc123")
        let stored = try harness.client.getObject(Secret.self, namespace: "default", name: "creds")
        XCTAssertEqual(stored.data?["token"], "YWJjMTIz")
        XCTAssertNil(stored.stringData)
    }

    func testHostPathTypeChecksAndDataSurvivesThePod() throws {
        let notADirectory = harness.root + "/host-file"
        try "x".write(toFile: notADirectory, atomically: true, encoding: .utf8)
        let created = harness.root + "/host-dir-created"
        try harness.write(
            "hostpath.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: hostpath}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: wrong
                hostPath: {path: \(notADirectory), type: Directory}
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                volumeMounts: [{name: wrong, mountPath: /data}]
            """)
        let message = "MountVolume.SetUp failed for volume \"wrong\" : hostPath type check failed: \(notADirectory) is not a directory"
        try harness.waitFor("FailedMount event", timeout: 30) {
            ((try? self.harness.client.listEvents(namespace: "default").items) ?? []).contains {
                $0.reason == "FailedMount" && $0.message == message
            }
        }
        XCTAssertEqual(waiting(harness.pod("hostpath"), "main")?.reason, "ContainerCreating")
        try harness.remove("hostpath.yaml")
        try harness.waitForGone("hostpath")

        try harness.write(
            "hostpath2.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: hostpath2}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: made
                hostPath: {path: \(created), type: DirectoryOrCreate}
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "echo kept > /data/file; echo written; exec sleep 3600"]
                volumeMounts: [{name: made, mountPath: /data}]
            """)
        _ = try harness.waitForLog("hostpath2", "main", contains: "written")
        try harness.remove("hostpath2.yaml")
        try harness.waitForGone("hostpath2")
        XCTAssertEqual(try String(contentsOfFile: created + "/file", encoding: .utf8), "kept\n", "hostPath data is never removed")
    }

    func testSubPathReplacedBySymlinkIsRefusedOnRestart() throws {
        try harness.write(
            "escape.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: escape}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: vol
                emptyDir: {}
              containers:
              - name: main
                image: busybox
                volumeMounts:
                - {name: vol, mountPath: /vol}
                - {name: vol, mountPath: /sub, subPath: sub}
                command: ["sh", "-c", "ls /sub/etc/shadow 2>&1; mv /vol/sub /vol/old && ln -s ../../../../../../../../../ /vol/sub && echo planted; sleep 0.5; exit 1"]
            """)
        _ = try harness.waitForLog("escape", "main", contains: "planted")
        try harness.waitForPod("escape", timeout: 30, "subPath refused") {
            self.waiting($0, "main")?.reason == "CreateContainerConfigError"
        }
        XCTAssertEqual(
            waiting(harness.pod("escape"), "main")?.message,
            "failed to prepare subPath for volumeMount \"vol\" of container \"main\"")
        XCTAssertEqual(harness.pod("escape")?.status?.containerStatuses?.first?.restartCount, 0, "never started again")
    }

    func testMemoryEmptyDirOverItsSizeLimitEvictsThePod() throws {
        try harness.write(
            "evict.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: evict}
            spec:
              terminationGracePeriodSeconds: 30
              volumes:
              - name: cache
                emptyDir: {medium: Memory, sizeLimit: 1Mi}
              containers:
              - name: main
                image: busybox
                volumeMounts: [{name: cache, mountPath: /cache}]
                command: ["sh", "-c", "head -c 2097152 /dev/zero > /cache/fill; echo filled; exec sleep 3600"]
            """)
        let pod = try harness.waitForPod("evict", timeout: 40, "Failed with reason Evicted") { $0.status?.phase == .failed }
        XCTAssertEqual(pod.status?.reason, "Evicted")
        XCTAssertEqual(pod.status?.message, "Usage of EmptyDir volume \"cache\" exceeds the limit \"1Mi\". ")
        XCTAssertNotNil(pod.status?.containerStatuses?.first?.state.terminated)
    }
}
