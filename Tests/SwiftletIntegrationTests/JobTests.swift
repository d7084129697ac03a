import Foundation
import SwiftletClient
import SwiftletKube
import Synchronization
import XCTest

/// batch/v1 Jobs with real pods: parallelism and completions (sampled through the watch),
/// backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, Indexed mode, and exact
/// counts after kill -9 of the agent in the middle of a Job.
final class JobTests: IntegrationTestCase {
    override var daemonArguments: [String] { super.daemonArguments + ["--job-backoff-initial", "0.2", "--job-backoff-max", "1"] }

    override func tearDownWithError() throws {
        // Jobs would replace the pods the harness deletes: remove them first (cascade).
        if let harness {
            for job in (try? harness.client.listObjects(Job.self, namespace: "default")) ?? [] {
                _ = try? harness.client.deleteObject(Job.self, namespace: "default", name: job.name)
            }
            try? harness.waitFor("the Jobs' pods to be gone", timeout: 30) {
                ((try? self.harness.client.listPods(namespace: "default").items) ?? []).isEmpty
            }
        }
        try super.tearDownWithError()
    }

    func job(_ name: String, command: [String], completions: Int32?, parallelism: Int32, backoffLimit: Int32 = 6) -> Job {
        var container = Container(name: "main", image: "busybox", command: command)
        container.imagePullPolicy = .never
        var spec = PodSpec(containers: [container], restartPolicy: .never)
        spec.terminationGracePeriodSeconds = 1
        return Job(
            metadata: ObjectMeta(name: name),
            spec: .init(parallelism: parallelism, completions: completions, backoffLimit: backoffLimit, template: PodTemplateSpec(spec: spec)))
    }

    func get(_ name: String) throws -> Job { try harness.client.getObject(Job.self, namespace: "default", name: name) }

    func pods(of uid: String?) -> [Pod] {
        ((try? harness.client.listPods(namespace: "default").items) ?? []).filter { pod in
            pod.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false
        }
    }

    @discardableResult
    func waitForCondition(_ name: String, _ type: String, timeout: TimeInterval = 90) throws -> Job.Condition {
        var condition: Job.Condition?
        do {
            try harness.waitFor("Job \(name) condition \(type)", timeout: timeout) {
                condition = (try? self.get(name))?.status?.condition(type)
                return condition != nil
            }
        } catch {
            let status = (try? get(name)).flatMap { try? KubeJSON.encode($0.status) }.map { String(decoding: $0, as: UTF8.self) }
            throw HarnessError("\(error); status: \(status ?? "none")")
        }
        return try XCTUnwrap(condition)
    }

    /// Counts the Job's active pods through the pod watch, keeping the maximum ever seen.
    final class ActiveSampler: Sendable {
        let state = Mutex<(active: Set<String>, max: Int, stop: Bool)>(([], 0, false))

        func run(socket: String, ownerUID: String) {
            let client = SwiftletAPIClient(socketPath: socket)
            try? client.watchPods(namespace: "default") { event in
                let pod = event.object
                let owned = pod.metadata.ownerReferences?.contains { $0.uid == ownerUID } ?? false
                return self.state.withLock { state in
                    if owned {
                        let active = event.type != "DELETED" && !(pod.status?.phase?.isTerminal ?? false) && pod.metadata.deletionTimestamp == nil
                        if active { state.active.insert(pod.uid) } else { state.active.remove(pod.uid) }
                        state.max = max(state.max, state.active.count)
                    }
                    return !state.stop
                }
            }
        }
    }

    func testCompletionsSixParallelismTwoNeverMoreThanTwoActive() throws {
        let created = try harness.client.createObject(job("six", command: ["sh", "-c", "sleep 0.3"], completions: 6, parallelism: 2))
        let uid = try XCTUnwrap(created.metadata.uid)
        XCTAssertEqual(created.spec.selector?.matchLabels, [Job.controllerUIDLabel: uid])
        let sampler = ActiveSampler()
        let socket = harness.socket
        let watcher = Thread { sampler.run(socket: socket, ownerUID: uid) }
        watcher.start()
        defer { sampler.state.withLock { $0.stop = true } }

        let complete = try waitForCondition("six", "Complete")
        XCTAssertEqual(complete.reason, "CompletionsReached")
        let job = try get("six")
        XCTAssertEqual(job.status?.succeeded, 6)
        XCTAssertNil(job.status?.failed)
        XCTAssertNil(job.status?.active)
        XCTAssertNotNil(job.status?.completionTime)
        XCTAssertNotNil(job.status?.condition("SuccessCriteriaMet"))
        let pods = pods(of: uid)
        XCTAssertEqual(pods.count, 6)
        XCTAssertTrue(pods.allSatisfy { $0.status?.phase == .succeeded })
        XCTAssertTrue(pods.allSatisfy { $0.metadata.labels?[Job.jobNameLabel] == "six" && $0.metadata.labels?["controller-uid"] == uid })
        XCTAssertTrue(pods.allSatisfy { $0.metadata.finalizers == nil }, "every finished pod was counted and let go")
        let maxActive = sampler.state.withLock { $0.max }
        XCTAssertGreaterThan(maxActive, 0, "the watch saw the pods")
        XCTAssertLessThanOrEqual(maxActive, 2, "never more than parallelism active pods")
    }

    func testFailingJobStopsAtBackoffLimit() throws {
        let created = try harness.client.createObject(job("fails", command: ["sh", "-c", "exit 3"], completions: 1, parallelism: 1, backoffLimit: 2))
        let failed = try waitForCondition("fails", "Failed")
        XCTAssertEqual(failed.reason, "BackoffLimitExceeded")
        XCTAssertEqual(failed.message, "Job has reached the specified backoff limit")
        XCTAssertEqual(try get("fails").status?.failed, 3)
        XCTAssertNotNil(try get("fails").status?.condition("FailureTarget"))
        let pods = pods(of: created.metadata.uid)
        XCTAssertEqual(pods.count, 3, "backoffLimit 2: the first pod and two replacements")
        XCTAssertTrue(pods.allSatisfy { $0.status?.phase == .failed })
    }

    func testActiveDeadlineSecondsFailsTheJob() throws {
        var deadline = job("deadline", command: ["sleep", "3600"], completions: 1, parallelism: 2)
        deadline.spec.activeDeadlineSeconds = 2
        let created = try harness.client.createObject(deadline)
        let failed = try waitForCondition("deadline", "Failed", timeout: 60)
        XCTAssertEqual(failed.reason, "DeadlineExceeded")
        XCTAssertEqual(failed.message, "Job was active longer than specified deadline")
        try harness.waitFor("no pod of the Job running", timeout: 30) {
            self.pods(of: created.metadata.uid).allSatisfy { $0.status?.phase?.isTerminal ?? false }
        }
    }

    func testTTLAfterFinishedDeletesTheJobAndItsPods() throws {
        var ttl = job("ttl", command: ["true"], completions: 1, parallelism: 1)
        ttl.spec.ttlSecondsAfterFinished = 1
        let created = try harness.client.createObject(ttl)
        try harness.waitFor("the Job deleted by its TTL", timeout: 60) { (try? self.get("ttl")) == nil }
        try harness.waitFor("its pods deleted", timeout: 30) { self.pods(of: created.metadata.uid).isEmpty }
    }

    func testIndexedRunsEveryIndexOnce() throws {
        var indexed = job("idx", command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX host=$(hostname)"], completions: 3, parallelism: 3)
        indexed.spec.completionMode = .indexed
        let created = try harness.client.createObject(indexed)
        try waitForCondition("idx", "Complete")
        let job = try get("idx")
        XCTAssertEqual(job.status?.completedIndexes, "0-2")
        XCTAssertEqual(job.status?.succeeded, 3)
        let pods = pods(of: created.metadata.uid)
        XCTAssertEqual(pods.compactMap { $0.metadata.annotations?[Job.completionIndexAnnotation] }.sorted(), ["0", "1", "2"])
        for pod in pods {
            let index = pod.metadata.annotations?[Job.completionIndexAnnotation] ?? "?"
            XCTAssertTrue(pod.name.hasPrefix("idx-\(index)-"), pod.name)
            _ = try harness.waitForLog(pod.name, "main", contains: "index=\(index) host=idx-\(index)")
        }
    }

    /// A leader/worker Job with `successPolicy: {rules: [{succeededIndexes: "0"}]}`: once the leader
    /// (index 0) exits 0 the workers, which would run for an hour, are stopped, the Job gets
    /// SuccessCriteriaMet then Complete with reason SuccessPolicy, and no failure is counted.
    func testSuccessPolicyCompletesOnceTheLeaderSucceeded() throws {
        var leader = job(
            "leader", command: ["sh", "-c", "if [ \"$JOB_COMPLETION_INDEX\" = 0 ]; then sleep 1; exit 0; fi; exec sleep 3600"],
            completions: 3, parallelism: 3)
        leader.spec.completionMode = .indexed
        leader.spec.successPolicy = Job.SuccessPolicy(rules: [Job.SuccessPolicy.Rule(succeededIndexes: "0")])
        let created = try harness.client.createObject(leader)
        let complete = try waitForCondition("leader", "Complete", timeout: 60)
        XCTAssertEqual(complete.reason, "SuccessPolicy")
        XCTAssertEqual(complete.message, "Matched rules at index 0")
        let job = try get("leader")
        XCTAssertEqual(job.status?.condition("SuccessCriteriaMet")?.reason, "SuccessPolicy")
        XCTAssertEqual(job.status?.completedIndexes, "0")
        XCTAssertEqual(job.status?.succeeded, 1)
        XCTAssertNil(job.status?.failed, "stopped workers are not failures")
        XCTAssertNil(job.status?.active)
        XCTAssertNotNil(job.status?.completionTime)
        try harness.waitFor("the workers to be stopped", timeout: 30) {
            self.pods(of: created.metadata.uid).allSatisfy { $0.status?.phase?.isTerminal ?? false }
        }
    }

    /// `backoffLimitPerIndex: 1` with index 1 always exiting 3: index 1 runs twice (its
    /// replacement annotated with one failure), then fails alone; the other indexes succeed and
    /// the Job fails with FailedIndexes, `failedIndexes: "1"`.
    func testBackoffLimitPerIndexFailsOnlyTheFailingIndex() throws {
        var perIndex = job(
            "per-index", command: ["sh", "-c", "if [ \"$JOB_COMPLETION_INDEX\" = 1 ]; then exit 3; fi; exit 0"], completions: 3,
            parallelism: 3)
        perIndex.spec.backoffLimit = nil
        perIndex.spec.completionMode = .indexed
        perIndex.spec.backoffLimitPerIndex = 1
        let created = try harness.client.createObject(perIndex)
        XCTAssertEqual(created.spec.backoffLimit, Int32.max, "defaulted when backoffLimitPerIndex is set")
        let failed = try waitForCondition("per-index", "Failed")
        XCTAssertEqual(failed.reason, "FailedIndexes")
        XCTAssertEqual(failed.message, "Job has failed indexes")
        let job = try get("per-index")
        XCTAssertEqual(job.status?.failedIndexes, "1")
        XCTAssertEqual(job.status?.completedIndexes, "0,2")
        XCTAssertEqual(job.status?.succeeded, 2)
        XCTAssertEqual(job.status?.failed, 2)
        XCTAssertNil(job.status?.active)
        let pods = pods(of: created.metadata.uid)
        func annotations(_ index: String) -> [String] {
            pods.filter { $0.metadata.annotations?[Job.completionIndexAnnotation] == index }
                .compactMap { $0.metadata.annotations?[Job.indexFailureCountAnnotation] }.sorted()
        }
        XCTAssertEqual(annotations("1"), ["0", "1"], "index 1: the first pod and one replacement")
        XCTAssertEqual(annotations("0"), ["0"])
        XCTAssertEqual(annotations("2"), ["0"])
        XCTAssertEqual(pods.filter { $0.status?.phase == .failed }.count, 2)
        XCTAssertTrue(pods.allSatisfy { $0.metadata.finalizers == nil }, "every finished pod was counted and let go")
    }

    /// A `FailIndex` rule (exit code 42) with `maxFailedIndexes: 0`: index 0's first failure
    /// fails its index without a retry (despite `backoffLimitPerIndex: 3`), which exceeds the
    /// limit: the Job fails with MaxFailedIndexesExceeded and its other, running pods are stopped.
    func testFailIndexRuleAndMaxFailedIndexesStopTheJob() throws {
        var failIndex = job(
            "fail-index", command: ["sh", "-c", "if [ \"$JOB_COMPLETION_INDEX\" = 0 ]; then sleep 1; exit 42; fi; exec sleep 3600"],
            completions: 3, parallelism: 3)
        failIndex.spec.completionMode = .indexed
        failIndex.spec.backoffLimitPerIndex = 3
        failIndex.spec.maxFailedIndexes = 0
        failIndex.spec.podFailurePolicy = Job.PodFailurePolicy(rules: [
            Job.PodFailurePolicy.Rule(action: "FailIndex", onExitCodes: .init(operator: "In", values: [42]))
        ])
        let created = try harness.client.createObject(failIndex)
        let failed = try waitForCondition("fail-index", "Failed", timeout: 60)
        XCTAssertEqual(failed.reason, "MaxFailedIndexesExceeded")
        XCTAssertEqual(failed.message, "Job has exceeded the specified maximal number of failed indexes")
        let job = try get("fail-index")
        XCTAssertEqual(job.status?.failedIndexes, "0")
        XCTAssertNil(job.status?.completedIndexes)
        XCTAssertEqual(job.status?.failed, 3, "index 0's pod, and the two stopped ones")
        // The stopped pods are deleted; index 0's failed pod stays, never retried.
        try harness.waitFor("the other indexes' pods to be stopped and deleted", timeout: 30) {
            self.pods(of: created.metadata.uid).count == 1
        }
        let pods = pods(of: created.metadata.uid)
        XCTAssertEqual(pods.first?.metadata.annotations?[Job.completionIndexAnnotation], "0")
        XCTAssertEqual(pods.first?.metadata.annotations?[Job.indexFailureCountAnnotation], "0", "FailIndex: no retry")
        XCTAssertEqual(pods.first?.status?.phase, .failed)
    }

    func testKill9MidJobKeepsCountsAndCreatesNoDuplicates() throws {
        let created = try harness.client.createObject(job("crash", command: ["sh", "-c", "sleep 2"], completions: 4, parallelism: 2))
        let uid = created.metadata.uid
        try harness.waitFor("the first pods running", timeout: 60) {
            self.pods(of: uid).filter { $0.status?.phase == .running }.count == 2
        }
        harness.kill9()
        // The running pods finish while the agent is down.
        sleep(3)
        try harness.start(daemonArguments)
        try waitForCondition("crash", "Complete")
        let job = try get("crash")
        XCTAssertEqual(job.status?.succeeded, 4)
        XCTAssertNil(job.status?.failed)
        let pods = pods(of: uid)
        XCTAssertEqual(pods.count, 4, "no pod created twice: \(pods.map(\.name))")
        XCTAssertTrue(pods.allSatisfy { $0.status?.phase == .succeeded })
    }

    func testRestartPolicyAlwaysIsRefused() throws {
        var always = job("always", command: ["true"], completions: 1, parallelism: 1)
        always.spec.template?.spec.restartPolicy = .always
        XCTAssertThrowsError(try harness.client.createObject(always)) { error in
            XCTAssertTrue(
                "\(error)".contains(#"spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#),
                "\(error)")
        }
    }
}
