import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// The Job controller's decisions (`pkg/controller/job`), as tables: parallelism, completions,
/// exactly-once counting through the tracking finalizer, back-off, deadline, failure policy,
/// Indexed mode, suspend and TTL.
final class JobControllerTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func job(completions: Int32? = 6, parallelism: Int32 = 2, backoffLimit: Int32 = 6, indexed: Bool = false) -> Job {
        var job = Job(
            metadata: ObjectMeta(name: "pi", namespace: "default", uid: "job-uid"),
            spec: .init(
                parallelism: parallelism, completions: completions, backoffLimit: backoffLimit,
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "pi"]),
                    spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))))
        if indexed { job.spec.completionMode = .indexed }
        job.applyDefaults()
        job.status = Job.Status()
        job.status?.startTime = KubeTime(now.addingTimeInterval(-60))
        return job
    }

    func pod(
        _ name: String, phase: PodPhase = .running, tracked: Bool = true, exitCode: Int32? = nil, finishedAgo: TimeInterval = 100,
        index: Int? = nil, createdAgo: TimeInterval = 200, restarts: Int32 = 0, deleting: Bool = false
    ) -> Pod {
        var meta = ObjectMeta(name: name, namespace: "default", uid: name, labels: ["app": "pi", Job.controllerUIDLabel: "job-uid"])
        meta.ownerReferences = [.controllerRef(apiVersion: "batch/v1", kind: "Job", name: "pi", uid: "job-uid")]
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-createdAgo))
        if tracked { meta.finalizers = [Job.trackingFinalizer] }
        if let index { meta.annotations = [Job.completionIndexAnnotation: String(index)] }
        if deleting { meta.deletionTimestamp = KubeTime(now) }
        var status = PodStatus()
        status.phase = phase
        var state = ContainerState()
        if phase.isTerminal {
            state.terminated = ContainerStateTerminated(
                exitCode: exitCode ?? (phase == .succeeded ? 0 : 1), finishedAt: KubeTime(now.addingTimeInterval(-finishedAgo)))
        }
        status.containerStatuses = [ContainerStatus(name: "c", state: state, restartCount: restarts)]
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "busybox")]), status: status)
    }

    func testStartsParallelismPodsAndNeverMore() {
        let cases: [(String, Job, [Pod], Int)] = [
            ("empty job starts parallelism", job(), [], 2),
            ("one running, one more", job(), [pod("a")], 1),
            ("two running, none", job(), [pod("a"), pod("b")], 0),
            ("remaining completions cap parallelism", job(completions: 3, parallelism: 5), [pod("s1", phase: .succeeded), pod("s2", phase: .succeeded)], 1),
            ("work queue stops creating after a success", job(completions: nil, parallelism: 3), [pod("s", phase: .succeeded), pod("a")], 0),
        ]
        for (name, job, pods, creates) in cases {
            let plan = JobController.plan(job, pods: pods, now: now)
            XCTAssertEqual(plan.create.count, creates, name)
            XCTAssertEqual(plan.delete, [], name)
        }
        // Too many active pods (parallelism lowered): the extra ones go, counted as failed.
        let plan = JobController.plan(job(parallelism: 1), pods: [pod("a", createdAgo: 50), pod("b", createdAgo: 10)], now: now)
        XCTAssertEqual(plan.delete, ["b"])
        XCTAssertEqual(plan.status.failed, 1)
        XCTAssertEqual(plan.status.active, 1)
    }

    func testFinishedPodsAreCountedExactlyOnce() throws {
        let pods = [pod("a"), pod("s1", phase: .succeeded), pod("f1", phase: .failed)]
        let first = JobController.plan(job(), pods: pods, now: now, backoff: JobBackoff(base: 0, maximum: 0))
        let record = try XCTUnwrap(first.recordStatus)
        XCTAssertEqual(record.uncountedTerminatedPods?.succeeded, ["s1"])
        XCTAssertEqual(record.uncountedTerminatedPods?.failed, ["f1"])
        XCTAssertNil(record.succeeded)
        XCTAssertEqual(Set(first.removeTracking), ["s1", "f1"])
        XCTAssertEqual(first.status.succeeded, 1)
        XCTAssertEqual(first.status.failed, 1)
        XCTAssertEqual(first.status.uncountedTerminatedPods, Job.UncountedTerminatedPods())
        XCTAssertEqual(first.create.count, 1)

        // A crash after recording, before the finalizers went: the same pods are not counted twice.
        var crashed = job()
        crashed.status = record
        let again = JobController.plan(crashed, pods: pods, now: now, backoff: JobBackoff(base: 0, maximum: 0))
        XCTAssertNil(again.recordStatus)
        XCTAssertEqual(again.status.succeeded, 1)
        XCTAssertEqual(again.status.failed, 1)
        XCTAssertEqual(Set(again.removeTracking), ["s1", "f1"])

        // A crash after the finalizers went, before the counts: the uncounted list still counts them.
        let untracked = [pod("a"), pod("s1", phase: .succeeded, tracked: false), pod("f1", phase: .failed, tracked: false)]
        let resumed = JobController.plan(crashed, pods: untracked, now: now, backoff: JobBackoff(base: 0, maximum: 0))
        XCTAssertEqual(resumed.status.succeeded, 1)
        XCTAssertEqual(resumed.status.failed, 1)

        // Counted and untracked: never again.
        var counted = job()
        counted.status = first.status
        let later = JobController.plan(counted, pods: untracked, now: now, backoff: JobBackoff(base: 0, maximum: 0))
        XCTAssertNil(later.recordStatus)
        XCTAssertEqual(later.status.succeeded, 1)
        XCTAssertEqual(later.status.failed, 1)
    }

    func testCompletesWithSuccessCriteriaMetThenComplete() throws {
        var done = job(completions: 2)
        done.status?.succeeded = 1
        let plan = JobController.plan(done, pods: [pod("s0", phase: .succeeded, tracked: false), pod("s1", phase: .succeeded)], now: now)
        XCTAssertEqual(plan.status.succeeded, 2)
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["SuccessCriteriaMet", "Complete"])
        XCTAssertEqual(plan.status.conditions?.map(\.reason), ["CompletionsReached", "CompletionsReached"])
        XCTAssertEqual(plan.status.completionTime, KubeTime(now))
        XCTAssertEqual(plan.create, [])
    }

    func testBackoffLimitExceededDeletesTheRestThenFails() throws {
        let failing = job(completions: 4, parallelism: 2, backoffLimit: 1)
        let pods = [pod("f1", phase: .failed), pod("f2", phase: .failed), pod("a")]
        let plan = JobController.plan(failing, pods: pods, now: now)
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["FailureTarget"])
        XCTAssertEqual(plan.status.conditions?.first?.reason, "BackoffLimitExceeded")
        XCTAssertEqual(plan.status.conditions?.first?.message, "Job has reached the specified backoff limit")
        XCTAssertEqual(plan.delete, ["a"])
        XCTAssertEqual(plan.status.failed, 3)
        XCTAssertEqual(plan.create, [])

        // Once no pod is left running, Failed joins FailureTarget with the same reason.
        var next = failing
        next.status = plan.status
        let done = JobController.plan(next, pods: [pod("f1", phase: .failed, tracked: false), pod("f2", phase: .failed, tracked: false)], now: now)
        XCTAssertEqual(done.status.conditions?.map(\.type), ["FailureTarget", "Failed"])
        XCTAssertEqual(done.status.conditions?.last?.reason, "BackoffLimitExceeded")
        XCTAssertNil(done.status.completionTime)
        XCTAssertTrue(JobController.isFinished(Job(metadata: next.metadata, spec: next.spec).with(status: done.status)))
    }

    func testOnFailureRestartsCountAgainstTheBackoffLimit() {
        var onFailure = job(backoffLimit: 2)
        onFailure.spec.template?.spec.restartPolicy = .onFailure
        XCTAssertNil(JobController.plan(onFailure, pods: [pod("a", restarts: 1)], now: now).status.conditions)
        let plan = JobController.plan(onFailure, pods: [pod("a", restarts: 1), pod("b", restarts: 1)], now: now)
        XCTAssertEqual(plan.status.conditions?.first?.reason, "BackoffLimitExceeded")
    }

    func testActiveDeadlineSeconds() {
        var deadline = job()
        deadline.spec.activeDeadlineSeconds = 30
        let plan = JobController.plan(deadline, pods: [pod("a"), pod("b")], now: now)
        XCTAssertEqual(plan.status.conditions?.first?.reason, "DeadlineExceeded")
        XCTAssertEqual(plan.status.conditions?.first?.message, "Job was active longer than specified deadline")
        XCTAssertEqual(Set(plan.delete), ["a", "b"])
        deadline.spec.activeDeadlineSeconds = 120
        XCTAssertNil(JobController.plan(deadline, pods: [pod("a"), pod("b")], now: now).status.conditions)
    }

    func testPodFailureBackoff() {
        let backoff = JobBackoff(base: 10, maximum: 600)
        let cases: [(Int, TimeInterval, TimeInterval)] = [
            (0, 0, 0), (1, 0, 10), (1, 4, 6), (2, 0, 20), (3, 0, 40), (7, 0, 600), (30, 0, 600), (1, 15, 0),
        ]
        for (failures, ago, remaining) in cases {
            XCTAssertEqual(
                backoff.remaining(failures: failures, lastFailure: now.addingTimeInterval(-ago), now: now), remaining,
                "\(failures) failures \(ago)s ago")
        }
        // A pod that failed 5 s ago holds the replacement back; a later success resets the count.
        let plan = JobController.plan(job(), pods: [pod("f", phase: .failed, finishedAgo: 5), pod("a")], now: now)
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.backoffRemaining, 5)
        let reset = JobController.plan(
            job(), pods: [pod("f", phase: .failed, finishedAgo: 50), pod("s", phase: .succeeded, finishedAgo: 20), pod("a")], now: now)
        XCTAssertEqual(reset.create.count, 1)
    }

    func testPodFailurePolicy() throws {
        var policy = job()
        policy.spec.podFailurePolicy = .init(rules: [
            .init(action: "FailJob", onExitCodes: .init(containerName: "c", operator: "In", values: [42])),
            .init(action: "Ignore", onExitCodes: .init(operator: "In", values: [3])),
            .init(action: "Count", onExitCodes: .init(operator: "NotIn", values: [42])),
        ])
        let ignored = JobController.plan(policy, pods: [pod("f", phase: .failed, exitCode: 3), pod("a"), pod("b")], now: now)
        XCTAssertNil(ignored.status.failed)
        XCTAssertEqual(ignored.removeTracking, ["f"])
        let counted = JobController.plan(policy, pods: [pod("f", phase: .failed, exitCode: 7), pod("a"), pod("b")], now: now)
        XCTAssertEqual(counted.status.failed, 1)
        let fail = JobController.plan(policy, pods: [pod("f", phase: .failed, exitCode: 42), pod("a")], now: now)
        let condition = try XCTUnwrap(fail.status.conditions?.first)
        XCTAssertEqual(condition.type, "FailureTarget")
        XCTAssertEqual(condition.reason, "PodFailurePolicy")
        XCTAssertEqual(condition.message, "Container c for pod default/f failed with exit code 42 matching FailJob rule at index 0")
        XCTAssertEqual(fail.delete, ["a"])
    }

    func testIndexedRunsEachIndexOnce() throws {
        let indexed = job(completions: 4, parallelism: 2, indexed: true)
        XCTAssertEqual(JobController.plan(indexed, pods: [], now: now).create, [0, 1])
        let plan = JobController.plan(
            indexed,
            pods: [pod("s0", phase: .succeeded, index: 0), pod("a1", index: 1), pod("dup1", index: 1, createdAgo: 10), pod("late0", index: 0)],
            now: now)
        XCTAssertEqual(plan.recordStatus?.completedIndexes, "0")
        XCTAssertEqual(Set(plan.delete), ["dup1", "late0"])
        XCTAssertEqual(plan.create, [2])
        XCTAssertEqual(plan.status.succeeded, 1)

        var resumed = indexed
        resumed.status?.completedIndexes = "0-2"
        let last = JobController.plan(resumed, pods: [pod("s3", phase: .succeeded, index: 3)], now: now)
        XCTAssertEqual(last.status.completedIndexes, "0-3")
        XCTAssertEqual(last.status.succeeded, 4)
        XCTAssertEqual(last.status.conditions?.last?.type, "Complete")
    }

    func testSuspendDeletesActivePodsAndResumeRestartsTheClock() {
        var suspended = job()
        suspended.spec.suspend = true
        let plan = JobController.plan(suspended, pods: [pod("a"), pod("b")], now: now)
        XCTAssertEqual(Set(plan.delete), ["a", "b"])
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.status.conditions?.first?.type, "Suspended")
        XCTAssertEqual(plan.status.conditions?.first?.reason, "JobSuspended")

        var resumed = job()
        resumed.status = plan.status
        let after = JobController.plan(resumed, pods: [], now: now)
        XCTAssertEqual(after.status.conditions?.first?.status, .false)
        XCTAssertEqual(after.status.conditions?.first?.reason, "JobResumed")
        XCTAssertEqual(after.status.startTime, KubeTime(now))
        XCTAssertEqual(after.create.count, 2)
    }

    func testTTLAfterFinished() {
        var finished = job()
        finished.status?.conditions = [Job.Condition(type: "Complete", reason: "CompletionsReached", message: nil, now: KubeTime(now.addingTimeInterval(-10)))]
        finished.spec.ttlSecondsAfterFinished = 5
        let plan = JobController.plan(finished, pods: [pod("s", phase: .succeeded)], now: now)
        XCTAssertTrue(plan.deleteJob)
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.removeTracking, ["s"])
        finished.spec.ttlSecondsAfterFinished = 60
        XCTAssertFalse(JobController.plan(finished, pods: [], now: now).deleteJob)
    }

    func testCompletedIndexesText() {
        let cases: [(String, String?)] = [("", nil), ("1,3,4,5,7", "1,3-5,7"), ("0-2,4", "0-2,4"), ("1,2", "1,2"), ("5,1-3,x", "1-3,5")]
        for (text, compressed) in cases {
            XCTAssertEqual(CompletedIndexes(parsing: text).compressed, compressed, text)
        }
    }

    func testIndexedPodTemplate() throws {
        let pod = try XCTUnwrap(JobController.pod(for: job(completions: 3, indexed: true), index: 2))
        XCTAssertEqual(pod.metadata.generateName, "pi-2-")
        XCTAssertEqual(pod.metadata.annotations?[Job.completionIndexAnnotation], "2")
        XCTAssertEqual(pod.metadata.labels?[Job.completionIndexAnnotation], "2")
        XCTAssertEqual(pod.metadata.labels?[Job.controllerUIDLabel], "job-uid")
        XCTAssertEqual(pod.metadata.finalizers, [Job.trackingFinalizer])
        XCTAssertEqual(pod.spec.hostname, "pi-2")
        XCTAssertEqual(pod.spec.containers[0].env?.first?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']")
        XCTAssertEqual(pod.metadata.ownerReferences?.first?.kind, "Job")
    }

    func testEventsForStateChanges() {
        let now = KubeTime(Date(timeIntervalSince1970: 1_000))
        func status(_ conditions: [(String, ConditionStatus, String?, String?)]) -> Job.Status {
            var s = Job.Status()
            s.conditions = conditions.map { Job.Condition(type: $0.0, status: $0.1, reason: $0.2, message: $0.3, now: now) }
            return s
        }
        let running = status([])
        let complete = status([("SuccessCriteriaMet", .true, "CompletionsReached", nil), ("Complete", .true, "CompletionsReached", "Job has reached the specified number of completions")])
        let failed = status([("FailureTarget", .true, "BackoffLimitExceeded", "Job has reached the specified backoff limit"), ("Failed", .true, "BackoffLimitExceeded", "Job has reached the specified backoff limit")])
        let suspended = status([("Suspended", .true, "JobSuspended", "Job suspended")])
        let resumed = status([("Suspended", .false, "JobResumed", "Job resumed")])
        func events(_ before: Job.Status?, _ after: Job.Status) -> [String] {
            JobController.finishedEvents(before: before, after: after).map { "\($0.type) \($0.reason): \($0.message)" }
        }
        XCTAssertEqual(events(running, complete), ["Normal Completed: Job completed"])
        XCTAssertEqual(events(complete, complete), [], "once")
        XCTAssertEqual(events(running, failed), ["Warning BackoffLimitExceeded: Job has reached the specified backoff limit"])
        XCTAssertEqual(events(nil, suspended), ["Normal Suspended: Job suspended"])
        XCTAssertEqual(events(suspended, resumed), ["Normal Resumed: Job resumed"])
        XCTAssertEqual(events(running, running), [])
    }
}

extension Job {
    func with(status: Job.Status) -> Job {
        var copy = self
        copy.status = status
        return copy
    }
}
