import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

/// `swiftlet describe pod` against kubectl's `describePod` layout, as golden text.
final class PodDescriberTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    static let podJSON = #"""
    {
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "web-7d4b9", "namespace": "shop", "uid": "u-1",
        "labels": {"app": "web", "tier": "front"},
        "annotations": {"kubernetes.io/config.source": "api"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-1", "controller": true}]
      },
      "spec": {
        "nodeName": "node1", "priority": 0, "serviceAccountName": "default",
        "initContainers": [{"name": "proxy", "image": "busybox", "restartPolicy": "Always", "command": ["sleep", "inf"]}],
        "containers": [{
          "name": "app", "image": "busybox:1.36",
          "command": ["sh", "-c"], "args": ["httpd -f -p 8080"],
          "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090, "protocol": "UDP"}],
          "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"cpu": "0.25", "memory": "64Mi"}},
          "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 3, "periodSeconds": 3},
          "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 5, "failureThreshold": 1},
          "startupProbe": {"tcpSocket": {"port": "http"}, "failureThreshold": 30},
          "env": [
            {"name": "GREETING", "value": "hello"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
            {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "level"}}},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token", "optional": true}}}
          ],
          "envFrom": [{"configMapRef": {"name": "settings"}}, {"prefix": "DB_", "secretRef": {"name": "db"}}],
          "volumeMounts": [
            {"name": "data", "mountPath": "/var/www"},
            {"name": "config", "mountPath": "/etc/app", "readOnly": true, "subPath": "app"}
          ]
        }],
        "volumes": [
          {"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
          {"name": "config", "configMap": {"name": "settings"}},
          {"name": "host", "hostPath": {"path": "/srv", "type": "Directory"}},
          {"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}
        ],
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
      },
      "status": {
        "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.88.0.4", "podIPs": [{"ip": "10.88.0.4"}],
        "startTime": "2023-11-14T22:10:00Z", "qosClass": "Burstable",
        "conditions": [
          {"type": "PodReadyToStartContainers", "status": "True"},
          {"type": "Initialized", "status": "True"},
          {"type": "Ready", "status": "True"},
          {"type": "ContainersReady", "status": "True"},
          {"type": "PodScheduled", "status": "True"}
        ],
        "initContainerStatuses": [{
          "name": "proxy", "image": "busybox", "imageID": "sha256:aaa", "containerID": "swiftlet://p1",
          "ready": true, "restartCount": 0, "started": true, "lastState": {},
          "state": {"running": {"startedAt": "2023-11-14T22:10:01Z"}}
        }],
        "containerStatuses": [{
          "name": "app", "image": "busybox:1.36", "imageID": "sha256:bbb", "containerID": "swiftlet://a2",
          "ready": true, "restartCount": 1, "started": true,
          "state": {"running": {"startedAt": "2023-11-14T22:11:00Z"}},
          "lastState": {"terminated": {"exitCode": 137, "reason": "Error", "startedAt": "2023-11-14T22:10:02Z", "finishedAt": "2023-11-14T22:10:59Z"}}
        }]
      }
    }
    """#

    static let golden = """
        Name:             web-7d4b9
        Namespace:        shop
        Priority:         0
        Service Account:  default
        Node:             node1/10.0.0.1
        Start Time:       Tue, 14 Nov 2023 22:10:00 +0000
        Labels:           app=web
                          tier=front
        Annotations:      kubernetes.io/config.source: api
        Status:           Running
        IP:               10.88.0.4
        IPs:
          IP:           10.88.0.4
        Controlled By:  ReplicaSet/web
        Init Containers:
          proxy:
            Container ID:  swiftlet://p1
            Image:         busybox
            Image ID:      sha256:aaa
            Port:          <none>
            Host Port:     <none>
            Command:
              sleep
              inf
            State:          Running
              Started:      Tue, 14 Nov 2023 22:10:01 +0000
            Ready:          True
            Restart Count:  0
            Environment:    <none>
            Mounts:         <none>
        Containers:
          app:
            Container ID:  swiftlet://a2
            Image:         busybox:1.36
            Image ID:      sha256:bbb
            Ports:         8080/TCP (http), 9090/UDP
            Host Ports:    0/TCP (http), 0/UDP
            Command:
              sh
              -c
            Args:
              httpd -f -p 8080
            State:          Running
              Started:      Tue, 14 Nov 2023 22:11:00 +0000
            Last State:     Terminated
              Reason:       Error
              Exit Code:    137
              Started:      Tue, 14 Nov 2023 22:10:02 +0000
              Finished:     Tue, 14 Nov 2023 22:10:59 +0000
            Ready:          True
            Restart Count:  1
            Limits:
              cpu:     500m
              memory:  128Mi
            Requests:
              cpu:      250m
              memory:   64Mi
            Liveness:   http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3
            Readiness:  exec [cat /tmp/ready] delay=0s timeout=1s period=5s #success=1 #failure=1
            Startup:    tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=30
            Environment Variables from:
              settings  ConfigMap                 Optional: false
              db        Secret with prefix 'DB_'  Optional: false
            Environment:
              GREETING:  hello
              POD_NAME:  web-7d4b9 (v1:metadata.name)
              MEM:       128 (limits.memory)
              LEVEL:     <set to the key 'level' of config map 'settings'>  Optional: false
              TOKEN:     <set to the key 'token' in secret 'creds'>         Optional: true
            Mounts:
              /etc/app from config (ro,path="app")
              /var/www from data (rw)
        Conditions:
          Type                        Status
          PodReadyToStartContainers   True 
          Initialized                 True 
          Ready                       True 
          ContainersReady             True 
          PodScheduled                True 
        Volumes:
          data:
            Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
            Medium:     
            SizeLimit:  1Gi
          config:
            Type:      ConfigMap (a volume populated by a ConfigMap)
            Name:      settings
            Optional:  false
          host:
            Type:          HostPath (bare host directory volume)
            Path:          /srv
            HostPathType:  Directory
          info:
            Type:  DownwardAPI (a volume populated by information about the pod)
            Items:
              metadata.labels -> labels
        QoS Class:       Burstable
        Node-Selectors:  <none>
        Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
        Events:
          Type     Reason     Age                From               Message
          ----     ------     ----               ----               -------
          Normal   Scheduled  3m20s              default-scheduler  Successfully assigned shop/web-7d4b9 to node1
          Warning  Unhealthy  10s (x4 over 70s)  swiftlet           spec.containers{app}: Liveness probe failed: HTTP probe failed with statuscode: 500

        """

    func testDescribeGolden() throws {
        let pod = try JSONDecoder().decode(Pod.self, from: Data(Self.podJSON.utf8))
        func event(
            _ type: String, _ reason: String, _ message: String, first: TimeInterval, last: TimeInterval, count: Int32,
            from: String, field: String? = nil
        ) -> Event {
            Event(
                metadata: ObjectMeta(name: "web-7d4b9.\(reason)", namespace: "shop"),
                involvedObject: ObjectReference(kind: "Pod", namespace: "shop", name: "web-7d4b9", uid: "u-1", fieldPath: field),
                reason: reason, message: message, type: type, count: count,
                firstTimestamp: KubeTime(now.addingTimeInterval(-first)), lastTimestamp: KubeTime(now.addingTimeInterval(-last)),
                source: EventSource(component: from, host: "node1"))
        }
        let events = [
            event("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", first: 70, last: 10, count: 4, from: "swiftlet",
                  field: "spec.containers{app}"),
            event("Normal", "Scheduled", "Successfully assigned shop/web-7d4b9 to node1", first: 200, last: 200, count: 1, from: "default-scheduler"),
        ]
        let text = PodDescriber(now: now, timeZone: TimeZone(identifier: "UTC")!).describe(pod, events: events)
        if text != Self.golden {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = Self.golden.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, (a, b)) in zip(got, want).enumerated() where a != b {
                XCTFail("line \(i + 1):\n got: \(a)|\nwant: \(b)|")
                break
            }
            XCTAssertEqual(got.count, want.count, text)
        }
    }

    func testProbeLines() {
        var http = Probe()
        http.httpGet = HTTPGetAction(path: "healthz", port: .string("web"))
        http.httpGet?.scheme = "HTTPS"
        http.httpGet?.host = "fd00::1"
        XCTAssertEqual(
            PodDescriber.describeProbe(http),
            "http-get https://[fd00::1]:web/healthz delay=0s timeout=1s period=10s #success=1 #failure=3")
        var exec = Probe()
        exec.exec = ExecAction(command: ["sh", "-c", "test -f /ok"])
        exec.timeoutSeconds = 5
        exec.successThreshold = 2
        XCTAssertEqual(
            PodDescriber.describeProbe(exec), "exec [sh -c test -f /ok] delay=0s timeout=5s period=10s #success=2 #failure=3")
    }
}
