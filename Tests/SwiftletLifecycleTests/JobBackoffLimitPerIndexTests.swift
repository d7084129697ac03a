import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// Backoff limit per index (KEP-3850): per-index failure counts on the replacement pods,
/// `status.failedIndexes`, the FailIndex action, per-index back-off and the Job's failure with
/// `FailedIndexes` / `MaxFailedIndexesExceeded`.
final class JobBackoffLimitPerIndexTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)
    typealias Rule = Job.PodFailurePolicy.Rule

    func job(completions: Int32 = 3, perIndex: Int32 = 1, maxFailed: Int32? = nil, rules: [Rule]? = nil) -> Job {
        var job = Job(
            metadata: ObjectMeta(name: "per", namespace: "default", uid: "job-uid"),
            spec: .init(
                parallelism: completions, completions: completions,
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "per"]),
                    spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))))
        job.spec.completionMode = .indexed
        job.spec.backoffLimitPerIndex = perIndex
        job.spec.maxFailedIndexes = maxFailed
        job.spec.podFailurePolicy = rules.map(Job.PodFailurePolicy.init(rules:))
        job.applyDefaults()
        job.status = Job.Status()
        job.status?.startTime = KubeTime(now.addingTimeInterval(-600))
        return job
    }

    /// A pod of `index`; failed ones exit `exitCode` `finishedAgo` seconds ago.
    func pod(
        _ index: Int, _ phase: PodPhase = .running, failures: String? = nil, ignored: String? = nil, exitCode: Int32 = 1,
        finishedAgo: TimeInterval = 100, tracked: Bool = true
    ) -> Pod {
        let name = "p\(index)-\(phase.rawValue.lowercased())-\(failures ?? "none")"
        var meta = ObjectMeta(name: name, namespace: "default", uid: name, labels: ["app": "per", Job.controllerUIDLabel: "job-uid"])
        meta.ownerReferences = [.controllerRef(apiVersion: "batch/v1", kind: "Job", name: "per", uid: "job-uid")]
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-200))
        meta.annotations = [Job.completionIndexAnnotation: String(index)]
        if let failures { meta.annotations?[Job.indexFailureCountAnnotation] = failures }
        if let ignored { meta.annotations?[Job.indexIgnoredFailureCountAnnotation] = ignored }
        if tracked { meta.finalizers = [Job.trackingFinalizer] }
        var status = PodStatus(phase: phase)
        var state = ContainerState()
        if phase.isTerminal {
            state.terminated = ContainerStateTerminated(
                exitCode: phase == .succeeded ? 0 : exitCode, finishedAt: KubeTime(now.addingTimeInterval(-finishedAgo)))
        }
        status.containerStatuses = [ContainerStatus(name: "c", state: state, restartCount: 0)]
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "busybox")]), status: status)
    }

    func testIsIndexFailed() {
        let failIndex42 = [Rule(action: "FailIndex", onExitCodes: .init(operator: "In", values: [42]))]
        let ignore7 = [Rule(action: "Ignore", onExitCodes: .init(operator: "In", values: [7]))]
        let cases: [(String, Job, Pod, Bool)] = [
            ("first failure, limit 1", job(), pod(0, .failed, failures: "0"), false),
            ("second failure, limit 1", job(), pod(0, .failed, failures: "1"), true),
            ("limit 0 fails at once", job(perIndex: 0), pod(0, .failed, failures: "0"), true),
            ("no annotation counts 0", job(), pod(0, .failed), false),
            ("malformed annotation counts 0", job(), pod(0, .failed, failures: "x"), false),
            ("negative annotation counts 0", job(), pod(0, .failed, failures: "-3"), false),
            ("succeeded pod", job(perIndex: 0), pod(0, .succeeded, failures: "5"), false),
            ("running pod", job(perIndex: 0), pod(0, .running, failures: "5"), false),
            ("FailIndex rule", job(perIndex: 3, rules: failIndex42), pod(0, .failed, failures: "0", exitCode: 42), true),
            ("FailIndex rule not matching counts", job(perIndex: 3, rules: failIndex42), pod(0, .failed, failures: "2", exitCode: 1), false),
            ("Ignore rule never fails the index", job(perIndex: 0, rules: ignore7), pod(0, .failed, failures: "4", exitCode: 7), false),
        ]
        for (name, job, pod, expected) in cases {
            XCTAssertEqual(JobController.isIndexFailed(job, pod: pod), expected, name)
        }
    }

    func testReplacementCarriesTheIndexFailureCounts() throws {
        let ignore7 = [Rule(action: "Ignore", onExitCodes: .init(operator: "In", values: [7]))]
        let cases: [(String, Job, [Pod], String, String?)] = [
            ("first pod", job(), [], "0", nil),
            ("after one failure", job(perIndex: 3), [pod(0, .failed, failures: "0")], "1", nil),
            ("the most-failed pod is replaced", job(perIndex: 3), [pod(0, .failed, failures: "0"), pod(0, .failed, failures: "1")], "2", nil),
            ("another index's pods do not count", job(perIndex: 3), [pod(1, .failed, failures: "2")], "0", nil),
            ("an ignored failure", job(perIndex: 3, rules: ignore7), [pod(0, .failed, failures: "1", exitCode: 7)], "1", "1"),
            ("ignored ones add up", job(perIndex: 3, rules: ignore7), [pod(0, .failed, failures: "1", ignored: "2", exitCode: 7)], "1", "3"),
        ]
        for (name, job, pods, failures, ignored) in cases {
            let created = try XCTUnwrap(JobController.pod(for: job, index: 0, pods: pods), name)
            XCTAssertEqual(created.metadata.annotations?[Job.indexFailureCountAnnotation], failures, name)
            XCTAssertEqual(created.metadata.annotations?[Job.indexIgnoredFailureCountAnnotation], ignored, name)
        }
        var plain = job()
        plain.spec.backoffLimitPerIndex = nil
        XCTAssertNil(JobController.pod(for: plain, index: 0, pods: [])?.metadata.annotations?[Job.indexFailureCountAnnotation])
    }

    /// Index 0 failed once (limit 1): it is retried, the failure counted, failedIndexes "".
    func testFirstFailureRetriesTheIndex() {
        let plan = JobController.plan(job(), pods: [pod(0, .failed, failures: "0"), pod(1), pod(2)], now: now)
        XCTAssertEqual(plan.create, [0])
        XCTAssertEqual(plan.status.failed, 1)
        XCTAssertEqual(plan.status.failedIndexes, "")
        XCTAssertEqual(plan.recordStatus?.failedIndexes, "")
        XCTAssertEqual(plan.recordStatus?.uncountedTerminatedPods?.failed, ["p0-failed-0"])
        XCTAssertNil(plan.status.conditions)
        XCTAssertEqual(plan.status.active, 3)
    }

    /// Index 0's second failure fails it: recorded with the pod (before its finalizer goes), not
    /// run again, while the other indexes go on.
    func testIndexFailsAtItsLimitAndIsNotRunAgain() {
        let pods = [pod(0, .failed, failures: "0", tracked: false), pod(0, .failed, failures: "1"), pod(1), pod(2)]
        var failing = job()
        failing.status?.failed = 1
        let plan = JobController.plan(failing, pods: pods, now: now)
        XCTAssertEqual(plan.create, [])
        XCTAssertEqual(plan.recordStatus?.failedIndexes, "0")
        XCTAssertEqual(plan.removeTracking, ["p0-failed-1"])
        XCTAssertEqual(plan.status.failedIndexes, "0")
        XCTAssertEqual(plan.status.failed, 2)
        XCTAssertNil(plan.status.conditions)
        XCTAssertEqual(plan.delete, [])

        // Later: the failed index is kept from the status; a stray pod of it is deleted.
        var later = failing
        later.status = plan.status
        let next = JobController.plan(later, pods: [pod(0, .failed, failures: "1", tracked: false), pod(0), pod(1), pod(2)], now: now)
        XCTAssertEqual(next.delete, ["p0-running-none"])
        XCTAssertEqual(next.create, [])
        XCTAssertEqual(next.status.failedIndexes, "0")
    }

    /// Every index finished, one failed: FailureTarget then Failed with FailedIndexes.
    func testAllIndexesDoneWithAFailedOneFailsTheJob() {
        var done = job()
        done.status?.failedIndexes = "0"
        done.status?.failed = 2
        done.status?.completedIndexes = "1"
        done.status?.succeeded = 1
        let plan = JobController.plan(done, pods: [pod(2, .succeeded)], now: now)
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["FailureTarget", "Failed"])
        XCTAssertEqual(plan.status.conditions?.last?.reason, "FailedIndexes")
        XCTAssertEqual(plan.status.conditions?.last?.message, "Job has failed indexes")
        XCTAssertEqual(plan.status.completedIndexes, "1,2")
        XCTAssertEqual(plan.status.failedIndexes, "0")
        XCTAssertNil(plan.status.completionTime)
        XCTAssertEqual(
            JobController.finishedEvents(before: done.status, after: plan.status),
            [ControllerEvent(type: "Warning", reason: "FailedIndexes", message: "Job has failed indexes")])
    }

    /// More failed indexes than maxFailedIndexes: the Job fails at once and its running pods go.
    func testMaxFailedIndexesExceededStopsTheJob() {
        let plan = JobController.plan(job(completions: 4, perIndex: 0, maxFailed: 1), pods: [
            pod(0, .failed, failures: "0"), pod(1, .failed, failures: "0"), pod(2), pod(3),
        ], now: now)
        XCTAssertEqual(plan.status.failedIndexes, "0,1")
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["FailureTarget"])
        XCTAssertEqual(plan.status.conditions?.first?.reason, "MaxFailedIndexesExceeded")
        XCTAssertEqual(plan.status.conditions?.first?.message, "Job has exceeded the specified maximal number of failed indexes")
        XCTAssertEqual(Set(plan.delete), ["p2-running-none", "p3-running-none"])
        XCTAssertEqual(plan.create, [])
        // Within the limit the Job goes on.
        let within = JobController.plan(job(completions: 4, perIndex: 0, maxFailed: 2), pods: [
            pod(0, .failed, failures: "0"), pod(1, .failed, failures: "0"), pod(2), pod(3),
        ], now: now)
        XCTAssertNil(within.status.conditions)
        XCTAssertEqual(within.delete, [])
    }

    /// A FailIndex rule fails the index on its first failure, however high the limit.
    func testFailIndexActionFailsTheIndexAtOnce() {
        let rules = [Rule(action: "FailIndex", onExitCodes: .init(operator: "In", values: [42]))]
        let plan = JobController.plan(
            job(perIndex: 5, rules: rules), pods: [pod(0, .failed, failures: "0", exitCode: 42), pod(1, .failed, failures: "0"), pod(2)], now: now)
        XCTAssertEqual(plan.status.failedIndexes, "0")
        XCTAssertEqual(plan.create, [1], "index 1 is retried, index 0 is not")
        XCTAssertEqual(plan.status.failed, 2)
    }

    /// Each index waits its own back-off: index 0 failed a second ago (10 s back-off), index 1
    /// failed long ago, so only index 1 is replaced now.
    func testEachIndexWaitsItsOwnBackoff() {
        let pods = [pod(0, .failed, failures: "0", finishedAgo: 1), pod(1, .failed, failures: "0", finishedAgo: 100), pod(2)]
        let plan = JobController.plan(job(perIndex: 3), pods: pods, now: now)
        XCTAssertEqual(plan.create, [1])
        XCTAssertEqual(plan.backoffRemaining, 9, accuracy: 0.001)
        // Its third failure doubles twice: 40 s after the last one.
        let third = JobController.plan(job(perIndex: 3), pods: [pod(0, .failed, failures: "2", finishedAgo: 30), pod(1), pod(2)], now: now)
        XCTAssertEqual(third.create, [])
        XCTAssertEqual(third.backoffRemaining, 10, accuracy: 0.001)
    }

    func testFailedIndexesOutcome() {
        let cases: [(String, Int32?, String, String, String?)] = [
            ("nothing failed", nil, "", "0-1", nil),
            ("indexes left", nil, "0", "1", nil),
            ("all done, one failed", nil, "0", "1,2", "FailedIndexes"),
            ("all failed", nil, "0-2", "", "FailedIndexes"),
            ("max exceeded first", 0, "0", "1,2", "MaxFailedIndexesExceeded"),
            ("at max, indexes left", 1, "0", "", nil),
        ]
        for (name, maxFailed, failed, succeeded, reason) in cases {
            let outcome = JobController.failedIndexesOutcome(
                job(maxFailed: maxFailed), failed: CompletedIndexes(parsing: failed), succeeded: CompletedIndexes(parsing: succeeded))
            XCTAssertEqual(outcome?.0, reason, name)
        }
    }
}
