import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// `spec.successPolicy` of Indexed Jobs (KEP-3998): matching, the Job controller's conditions and
/// the termination of the pods still running, and the API server's validation texts.
final class JobSuccessPolicyTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func job(completions: Int32 = 5, parallelism: Int32 = 5, rules: [Job.SuccessPolicy.Rule]) -> Job {
        var job = Job(
            metadata: ObjectMeta(name: "leader", namespace: "default", uid: "job-uid"),
            spec: .init(
                parallelism: parallelism, completions: completions, backoffLimit: 6,
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "leader"]),
                    spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))))
        job.spec.completionMode = .indexed
        job.spec.successPolicy = Job.SuccessPolicy(rules: rules)
        job.applyDefaults()
        job.status = Job.Status()
        job.status?.startTime = KubeTime(now.addingTimeInterval(-60))
        return job
    }

    func pod(_ index: Int, _ phase: PodPhase = .running, tracked: Bool = true) -> Pod {
        let name = "p\(index)-\(phase.rawValue.lowercased())"
        var meta = ObjectMeta(name: name, namespace: "default", uid: name, labels: ["app": "leader", Job.controllerUIDLabel: "job-uid"])
        meta.ownerReferences = [.controllerRef(apiVersion: "batch/v1", kind: "Job", name: "leader", uid: "job-uid")]
        meta.creationTimestamp = KubeTime(now.addingTimeInterval(-100))
        meta.annotations = [Job.completionIndexAnnotation: String(index)]
        if tracked { meta.finalizers = [Job.trackingFinalizer] }
        var status = PodStatus(phase: phase)
        var state = ContainerState()
        if phase.isTerminal {
            state.terminated = ContainerStateTerminated(exitCode: phase == .succeeded ? 0 : 1, finishedAt: KubeTime(now.addingTimeInterval(-10)))
        }
        status.containerStatuses = [ContainerStatus(name: "c", state: state, restartCount: 0)]
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "busybox")]), status: status)
    }

    func testMatchingRules() {
        typealias Rule = Job.SuccessPolicy.Rule
        let cases: [(String, [Rule], String, String?)] = [
            ("no index succeeded", [Rule(succeededCount: 0)], "", nil),
            ("indexes all succeeded", [Rule(succeededIndexes: "0,2")], "0,2", "Matched rules at index 0"),
            ("indexes only partly", [Rule(succeededIndexes: "0-2")], "0,2", nil),
            ("count of all indexes", [Rule(succeededCount: 2)], "1,4", "Matched rules at index 0"),
            ("count not reached", [Rule(succeededCount: 3)], "1,4", nil),
            ("count within indexes", [Rule(succeededIndexes: "0-3", succeededCount: 2)], "1,4", nil),
            ("count within indexes reached", [Rule(succeededIndexes: "0-3", succeededCount: 2)], "1,3,4", "Matched rules at index 0"),
            ("first rule that holds", [Rule(succeededIndexes: "4"), Rule(succeededCount: 1), Rule(succeededIndexes: "0")], "0", "Matched rules at index 1"),
            ("a malformed rule is skipped", [Rule(succeededIndexes: "3-1"), Rule(succeededIndexes: "0")], "0", "Matched rules at index 1"),
        ]
        for (name, rules, completed, expected) in cases {
            let match = JobController.matchSuccessPolicy(job(rules: rules), completedIndexes: CompletedIndexes(parsing: completed))
            XCTAssertEqual(match, expected, name)
        }
        var nonIndexed = job(rules: [Job.SuccessPolicy.Rule(succeededCount: 1)])
        nonIndexed.spec.completionMode = .nonIndexed
        XCTAssertNil(JobController.matchSuccessPolicy(nonIndexed, completedIndexes: CompletedIndexes(parsing: "0")))
    }

    /// The leader (index 0) succeeded: SuccessCriteriaMet at once, the workers still running are
    /// deleted and not counted as failed, and Complete follows, same reason and message, once
    /// they are gone.
    func testSuccessCriteriaMetTerminatesTheRestThenCompletes() throws {
        let leader = job(rules: [Job.SuccessPolicy.Rule(succeededIndexes: "0")])
        let plan = JobController.plan(leader, pods: [pod(0, .succeeded), pod(1), pod(2), pod(3), pod(4)], now: now)
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["SuccessCriteriaMet"])
        XCTAssertEqual(plan.status.conditions?.first?.reason, "SuccessPolicy")
        XCTAssertEqual(plan.status.conditions?.first?.message, "Matched rules at index 0")
        XCTAssertEqual(Set(plan.delete), ["p1-running", "p2-running", "p3-running", "p4-running"])
        XCTAssertEqual(plan.create, [])
        XCTAssertNil(plan.status.failed, "terminated workers are not failures")
        XCTAssertEqual(plan.status.succeeded, 1)
        XCTAssertEqual(plan.status.completedIndexes, "0")
        XCTAssertEqual(plan.status.terminating, 4)
        XCTAssertNil(plan.status.completionTime)

        // The deleted workers end Failed (killed); the Job completes and counts no failure.
        var next = leader
        next.status = plan.status
        let done = JobController.plan(
            next, pods: [pod(0, .succeeded, tracked: false)] + (1...4).map { pod($0, .failed, tracked: false) }, now: now)
        XCTAssertEqual(done.status.conditions?.map(\.type), ["SuccessCriteriaMet", "Complete"])
        XCTAssertEqual(done.status.conditions?.last?.reason, "SuccessPolicy")
        XCTAssertEqual(done.status.conditions?.last?.message, "Matched rules at index 0")
        XCTAssertEqual(done.status.completionTime, KubeTime(now))
        XCTAssertNil(done.status.failed)
        XCTAssertEqual(done.delete, [])
        XCTAssertEqual(
            JobController.finishedEvents(before: plan.status, after: done.status),
            [ControllerEvent(type: "Normal", reason: "Completed", message: "Job completed")])
    }

    /// Failure checks come first: a Job past its backoff limit fails even if a rule holds.
    func testFailureWinsOverTheSuccessPolicy() {
        var failing = job(rules: [Job.SuccessPolicy.Rule(succeededCount: 1)])
        failing.spec.backoffLimit = 0
        let plan = JobController.plan(failing, pods: [pod(0, .succeeded), pod(1, .failed), pod(2)], now: now)
        XCTAssertEqual(plan.status.conditions?.map(\.type), ["FailureTarget"])
        XCTAssertEqual(plan.status.conditions?.first?.reason, "BackoffLimitExceeded")
    }

    /// Without a rule that holds, the Job runs every index as before.
    func testUnmatchedPolicyKeepsRunning() {
        let plan = JobController.plan(
            job(rules: [Job.SuccessPolicy.Rule(succeededIndexes: "0-1")]), pods: [pod(0, .succeeded), pod(2)], now: now)
        XCTAssertNil(plan.status.conditions)
        XCTAssertEqual(plan.create, [1, 3, 4])
    }

    func testValidation() {
        typealias Rule = Job.SuccessPolicy.Rule
        let rule = "spec.successPolicy.rules[0]"
        let cases: [(String, [Rule], [String])] = [
            ("valid", [Rule(succeededIndexes: "0,2-4", succeededCount: 2)], []),
            ("no rules", [], ["spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified"]),
            ("empty rule", [Rule()], ["\(rule): Required value: at least one of succeededCount or succeededIndexes must be specified"]),
            (
                "index too large", [Rule(succeededIndexes: "1,5")],
                [#"\#(rule).succeededIndexes: Invalid value: "1,5": error parsing succeededIndexes: too large index: "5""#]
            ),
            (
                "decreasing", [Rule(succeededIndexes: "2,1")],
                [#"\#(rule).succeededIndexes: Invalid value: "2,1": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1"#]
            ),
            (
                "not a number", [Rule(succeededIndexes: "a")],
                [#"\#(rule).succeededIndexes: Invalid value: "a": error parsing succeededIndexes: cannot convert string to integer for index: "a""#]
            ),
            (
                "three parts", [Rule(succeededIndexes: "1-2-3")],
                [
                    #"\#(rule).succeededIndexes: Invalid value: "1-2-3": error parsing succeededIndexes: the fragment "1-2-3" violates the requirement that an index interval can have at most two parts separated by '-'"#
                ]
            ),
            (
                "count over completions", [Rule(succeededCount: 6)],
                ["\(rule).succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)"]
            ),
            (
                "count over the rule's indexes", [Rule(succeededIndexes: "0-1", succeededCount: 3)],
                ["\(rule).succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)"]
            ),
            ("negative count", [Rule(succeededCount: -1)], ["\(rule).succeededCount: Invalid value: -1: must be greater than or equal to 0"]),
            (
                "too many rules", Array(repeating: Rule(succeededCount: 1), count: 21),
                ["spec.successPolicy.rules: Too many: 21: must have at most 20 items"]
            ),
        ]
        for (name, rules, expected) in cases {
            XCTAssertEqual(job(rules: rules).validate().map(\.description), expected, name)
        }
        var nonIndexed = job(rules: [Rule(succeededIndexes: "0", succeededCount: 1)])
        nonIndexed.spec.completionMode = nil
        XCTAssertEqual(
            nonIndexed.validate().map(\.description),
            [#"spec.successPolicy: Invalid value: {"rules":[{"succeededIndexes":"0","succeededCount":1}]}: requires indexed completion mode"#])

        let old = job(rules: [Rule(succeededCount: 1)])
        var changed = old
        changed.spec.successPolicy = Job.SuccessPolicy(rules: [Rule(succeededCount: 2)])
        XCTAssertEqual(
            changed.validateUpdate(from: old).map(\.description),
            [#"spec.successPolicy: Invalid value: {"rules":[{"succeededCount":2}]}: field is immutable"#])
    }

    func testDecodesFromTheAPIShape() throws {
        let json = #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"completionMode":"Indexed","completions":3,"successPolicy":{"rules":[{"succeededIndexes":"0","succeededCount":1}]},"template":{"spec":{"containers":[{"name":"c","image":"busybox"}],"restartPolicy":"Never"}}}}"#
        let job = try KubeJSON.decode(Job.self, from: Data(json.utf8))
        XCTAssertEqual(job.spec.successPolicy, Job.SuccessPolicy(rules: [Job.SuccessPolicy.Rule(succeededIndexes: "0", succeededCount: 1)]))
    }
}
