import Foundation
import SwiftletKube
import XCTest

/// A pod becomes real, isolated processes.
final class PodBasicsTests: IntegrationTestCase {
    func testSingleContainerPodIsPIDOneWithItsHostnameAndOnlyItsProcesses() throws {
        // `$$$$` is the manifest spelling of the shell's `$$` (Kubernetes turns `$$` into `$`).
        try harness.write(
            "solo.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: solo}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "echo pid=$$$$; echo host=$(hostname); echo procs=$(ls /proc | grep -c '^[0-9]'); ps -o pid,comm; exec sleep 3600"]
            """)
        let pod = try harness.waitForRunning("solo")
        XCTAssertEqual(pod.status?.containerStatuses?.first?.restartCount, 0)
        let log = try harness.waitForLog("solo", "main", contains: "procs=")
        XCTAssertTrue(log.contains("pid=1\n"), log)
        XCTAssertTrue(log.contains("host=solo\n"), log)
        // sh, and the ls/grep pipeline of the command substitution: nothing of the host.
        let procs = log.split(separator: "\n").first { $0.hasPrefix("procs=") }.flatMap { Int($0.dropFirst(6)) } ?? 99
        XCTAssertLessThanOrEqual(procs, 4, log)
        XCTAssertFalse(log.contains("swiftlet"), log)
    }

    func testContainersShareTheNetworkButNotProcessesOrFiles() throws {
        try harness.write(
            "pair.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: pair}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: server
                image: busybox
                command: ["sh", "-c", "echo secret > /tmp/server-only; httpd -p 8080 -h /etc; sleep 2; ls /tmp/client-only 2>&1; ps -o comm | grep -c '^wget' ; exec sleep 3600"]
              - name: client
                image: busybox
                command: ["sh", "-c", "touch /tmp/client-only; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://localhost:8080/hostname && break; sleep 0.3; done; cat /tmp/server-only 2>&1; echo httpd=$(ps -o comm | grep -c '^httpd'); exec sleep 3600"]
            """)
        _ = try harness.waitForRunning("pair")
        let client = try harness.waitForLog("pair", "client", contains: "httpd=")
        XCTAssertTrue(client.contains("pair\n"), "client reached the server over localhost and read its /etc/hostname: \(client)")
        XCTAssertTrue(client.contains("No such file"), "server's /tmp is not visible to the client: \(client)")
        XCTAssertTrue(client.contains("httpd=0"), "the client sees no server process: \(client)")
        let server = try harness.waitForLog("pair", "server", contains: "client-only")
        XCTAssertTrue(server.contains("No such file"), server)
    }

    func testInitContainersRunStrictlyInOrderBeforeTheApp() throws {
        try harness.write(
            "ordered.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: ordered}
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - {name: first, image: busybox, command: ["sh", "-c", "echo first; sleep 0.5; echo first-done"]}
              - {name: second, image: busybox, command: ["sh", "-c", "echo second"]}
              containers:
              - {name: app, image: busybox, command: ["sh", "-c", "echo app; exec sleep 3600"]}
            """)
        let pod = try harness.waitForRunning("ordered")
        let inits = pod.status?.initContainerStatuses ?? []
        XCTAssertEqual(inits.map(\.name), ["first", "second"])
        XCTAssertEqual(inits.compactMap { $0.state.terminated?.reason }, ["Completed", "Completed"])
        // Nanosecond order from the records the pause process wrote.
        let first = try record(pod, "first", 0, "exit")
        let second = try record(pod, "second", 0, "start")
        let secondExit = try record(pod, "second", 0, "exit")
        let app = try record(pod, "app", 0, "start")
        XCTAssertLessThan(first, second, "second started only after first exited")
        XCTAssertLessThan(secondExit, app, "app started only after the last init container exited")
        XCTAssertEqual(pod.status?.conditions?.first { $0.type == .initialized }?.status, .true)
    }

    func testFailingInitContainerKeepsThePodInitializingUnderAlwaysAndFailsItUnderNever() throws {
        try harness.write(
            "initfail.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: initfail}
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - {name: broken, image: busybox, command: ["sh", "-c", "echo trying; exit 3"]}
              containers:
              - {name: app, image: busybox, command: ["sleep", "3600"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: initfail-never}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              initContainers:
              - {name: broken, image: busybox, command: ["sh", "-c", "exit 3"]}
              containers:
              - {name: app, image: busybox, command: ["sleep", "3600"]}
            """)
        let retried = try harness.waitForPod("initfail", "the init container to be retried") { pod in
            (pod.status?.initContainerStatuses?.first?.restartCount ?? 0) >= 2
        }
        XCTAssertEqual(retried.status?.phase, .pending)
        XCTAssertEqual(retried.status?.initContainerStatuses?.first?.lastState.terminated?.exitCode, 3)
        XCTAssertNotNil(retried.status?.containerStatuses?.first?.state.waiting, "the app never started")
        XCTAssertEqual(retried.status?.containerStatuses?.first?.state.waiting?.reason, "PodInitializing")
        let failed = try harness.waitForPod("initfail-never", "phase Failed") { $0.status?.phase == .failed }
        XCTAssertEqual(failed.status?.initContainerStatuses?.first?.state.terminated?.exitCode, 3)
        XCTAssertEqual(failed.status?.initContainerStatuses?.first?.restartCount, 0)
        XCTAssertEqual(failed.status?.containerStatuses?.first?.state.waiting?.reason, "PodInitializing")
    }

    func testHostNetworkAndSharedProcessNamespace() throws {
        let hostInterfaces = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net").sorted()
        var hostname = [CChar](repeating: 0, count: 256)
        gethostname(&hostname, hostname.count)
        try harness.write(
            "shared.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: hostnet}
            spec:
              hostNetwork: true
              terminationGracePeriodSeconds: 1
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "echo host=$(hostname); echo nets=$(ls /sys/class/net | sort | tr '\\n' ' '); exec sleep 3600"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sharedpid}
            spec:
              shareProcessNamespace: true
              terminationGracePeriodSeconds: 1
              containers:
              - {name: a, image: busybox, command: ["sh", "-c", "exec sleep 3601"]}
              - {name: b, image: busybox, command: ["sh", "-c", "sleep 1; echo seen=$(ps -o args | grep -c '^sleep 3601'); echo pid1=$(cat /proc/1/comm); exec sleep 3600"]}
            """)
        let log = try harness.waitForLog("hostnet", "main", contains: "nets=")
        XCTAssertTrue(log.contains("host=\(String(cString: hostname))\n"), log)
        // Other suites add and remove veths while this runs: compare the interfaces that exist on
        // the host before and after the container listed its own.
        let hostAfter = Set(try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net"))
        let stable = hostInterfaces.filter { hostAfter.contains($0) && !$0.hasPrefix("veth") }
        let seen = Set(log.split(separator: "\n").first { $0.hasPrefix("nets=") }?
            .dropFirst("nets=".count).split(separator: " ").map(String.init) ?? [])
        XCTAssertTrue(stable.contains("lo") && stable.count > 1, "\(stable)")
        XCTAssertTrue(Set(stable).isSubset(of: seen), "\(stable) vs \(log)")
        let shared = try harness.waitForLog("sharedpid", "b", contains: "pid1=")
        XCTAssertTrue(shared.contains("seen=1"), "b sees a's process: \(shared)")
        XCTAssertTrue(shared.contains("pid1=pause"), "the pod's pause is PID 1 of the shared namespace: \(shared)")
    }

    /// Seconds since the epoch of a run record written by swiftlet-pause.
    func record(_ pod: Pod, _ container: String, _ attempt: Int, _ kind: String) throws -> Double {
        let path = "\(harness.run)/pods/\(pod.uid)/status/\(container).\(attempt).\(kind)"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw HarnessError("no record \(path)") }
        let key = kind == "exit" ? "finishedAt=" : "startedAt="
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }), let value = Double(line.dropFirst(key.count))
        else { throw HarnessError("bad record \(path): \(text)") }
        return value
    }
}
