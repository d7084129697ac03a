import Foundation
import SwiftletClient
import SwiftletKube
import Synchronization
import XCTest

/// batch/v1 CronJobs with real pods on a sped-up schedule clock (one schedule minute per real
/// second): Forbid never overlaps, history limits hold, deleting the CronJob removes its Jobs.
final class CronJobTests: IntegrationTestCase {
    override var daemonArguments: [String] {
        super.daemonArguments + ["--schedule-clock-speed", "60", "--job-backoff-initial", "0.2", "--job-backoff-max", "1"]
    }

    override func tearDownWithError() throws {
        if let harness {
            for cj in (try? harness.client.listObjects(CronJob.self, namespace: "default")) ?? [] {
                _ = try? harness.client.deleteObject(CronJob.self, namespace: "default", name: cj.name)
            }
            try? harness.waitFor("the CronJobs' Jobs and pods to be gone", timeout: 60) {
                ((try? self.harness.client.listObjects(Job.self, namespace: "default")) ?? []).isEmpty
                    && ((try? self.harness.client.listPods(namespace: "default").items) ?? []).isEmpty
            }
        }
        try super.tearDownWithError()
    }

    func cronJob(_ name: String, command: [String], policy: CronJob.ConcurrencyPolicy) -> CronJob {
        var container = Container(name: "main", image: "busybox", command: command)
        container.imagePullPolicy = .never
        var spec = PodSpec(containers: [container], restartPolicy: .never)
        spec.terminationGracePeriodSeconds = 1
        var jobSpec = Job.Spec(backoffLimit: 0, template: PodTemplateSpec(metadata: ObjectMeta(labels: ["cron": name]), spec: spec))
        jobSpec.parallelism = 1
        var cj = CronJob(metadata: ObjectMeta(name: name), spec: .init(schedule: "* * * * *", jobTemplate: .init(spec: jobSpec)))
        cj.spec.concurrencyPolicy = policy
        cj.spec.successfulJobsHistoryLimit = 2
        cj.spec.failedJobsHistoryLimit = 1
        return cj
    }

    func jobs(of uid: String?) -> [Job] {
        ((try? harness.client.listObjects(Job.self, namespace: "default")) ?? []).filter { job in
            job.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false
        }
    }

    func finished(_ job: Job, _ type: String) -> Bool { job.status?.condition(type) != nil }

    /// Follows the pods labelled `cron=<name>`: the most active at once, and the pods that succeeded.
    final class PodSampler: Sendable {
        let state = Mutex<(active: Set<String>, max: Int, succeeded: Set<String>, stop: Bool)>(([], 0, [], false))

        func run(socket: String, name: String) {
            try? SwiftletAPIClient(socketPath: socket).watchPods(namespace: "default", labelSelector: "cron=\(name)") { event in
                let pod = event.object
                return self.state.withLock { state in
                    let active = event.type != "DELETED" && !(pod.status?.phase?.isTerminal ?? false) && pod.metadata.deletionTimestamp == nil
                    if active { state.active.insert(pod.uid) } else { state.active.remove(pod.uid) }
                    if pod.status?.phase == .succeeded { state.succeeded.insert(pod.uid) }
                    state.max = max(state.max, state.active.count)
                    return !state.stop
                }
            }
        }
    }

    func testForbidNeverOverlapsAndHistoryLimitsHold() throws {
        // Each run takes about three schedule minutes: Forbid must skip the times in between.
        let created = try harness.client.createObject(cronJob("tick", command: ["sh", "-c", "sleep 2.5"], policy: .forbid))
        let sampler = PodSampler()
        let socket = harness.socket
        Thread { sampler.run(socket: socket, name: "tick") }.start()
        defer { sampler.state.withLock { $0.stop = true } }

        try harness.waitFor("four successful runs", timeout: 120) { sampler.state.withLock { $0.succeeded.count } >= 4 }
        XCTAssertEqual(sampler.state.withLock { $0.max }, 1, "Forbid: never two runs at once")
        try harness.waitFor("at most 2 finished Jobs kept (successfulJobsHistoryLimit)", timeout: 30) {
            self.jobs(of: created.metadata.uid).filter { self.finished($0, "Complete") }.count <= 2
        }
        let cj = try harness.client.getObject(CronJob.self, namespace: "default", name: "tick")
        XCTAssertNotNil(cj.status?.lastScheduleTime)
        XCTAssertNotNil(cj.status?.lastSuccessfulTime)
        XCTAssertLessThanOrEqual(cj.status?.active?.count ?? 0, 1)
        for job in jobs(of: created.metadata.uid) {
            let minutes = job.name.split(separator: "-").last.flatMap { Int64($0) }
            XCTAssertNotNil(minutes, "Job named <cronjob>-<minutes>: \(job.name)")
            XCTAssertNotNil(job.metadata.annotations?[CronJob.scheduledTimestampAnnotation])
        }
        XCTAssertTrue(
            (try harness.client.listEvents(namespace: "default").items).contains { $0.reason == "JobAlreadyActive" },
            "the skipped times are reported")
        let events = try harness.client.listEvents(namespace: "default").items
        XCTAssertTrue(
            events.contains { $0.reason == "SawCompletedJob" && $0.source.component == "cronjob-controller" }, "\(events.map(\.reason))")
        XCTAssertTrue(
            events.contains { $0.reason == "Completed" && $0.message == "Job completed" && $0.source.component == "job-controller" })
        XCTAssertTrue(events.contains { $0.reason == "SuccessfulCreate" && $0.message.hasPrefix("Created pod: tick-") })

        // Deleting the CronJob deletes its Jobs, and they their pods.
        _ = try harness.client.deleteObject(CronJob.self, namespace: "default", name: "tick")
        try harness.waitFor("its Jobs gone", timeout: 30) { self.jobs(of: created.metadata.uid).isEmpty }
        try harness.waitFor("its pods gone", timeout: 30) {
            ((try? self.harness.client.listPods(namespace: "default", labelSelector: "cron=tick").items) ?? []).isEmpty
        }
    }

    func testFailedJobsHistoryLimit() throws {
        let created = try harness.client.createObject(cronJob("oops", command: ["sh", "-c", "exit 1"], policy: .allow))
        var failedSeen = Set<String>()
        try harness.waitFor("three failed runs", timeout: 120) {
            for job in self.jobs(of: created.metadata.uid) where self.finished(job, "Failed") { failedSeen.insert(job.name) }
            return failedSeen.count >= 3
        }
        try harness.waitFor("only the last failed Job kept (failedJobsHistoryLimit 1)", timeout: 30) {
            self.jobs(of: created.metadata.uid).filter { self.finished($0, "Failed") }.count == 1
        }
        let failed = try XCTUnwrap(jobs(of: created.metadata.uid).first { finished($0, "Failed") })
        XCTAssertEqual(failed.status?.condition("Failed")?.reason, "BackoffLimitExceeded")
    }

    /// The schedule clock's instant for a real one (the daemon's origin file, 60× speed).
    func scheduleTime(_ real: Date) throws -> Date {
        let text = try String(contentsOfFile: harness.state + "/schedule-clock-origin", encoding: .utf8)
        let origin = Date(timeIntervalSince1970: try XCTUnwrap(Double(text.trimmingCharacters(in: .whitespacesAndNewlines))))
        return origin.addingTimeInterval(real.timeIntervalSince(origin) * 60)
    }

    /// The scheduled time a Job's name carries (`<cronjob>-<minutes since the epoch>`).
    func scheduled(_ job: Job) -> Date? {
        job.name.split(separator: "-").last.flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0 * 60) }
    }

    func testMissedSchedulesWhileTheAgentWasDownStartOnceWithinTheDeadline() throws {
        // Every 5 schedule minutes (5 s); a missed time counts for 15 schedule minutes.
        var cj = cronJob("late", command: ["true"], policy: .allow)
        cj.spec.schedule = "*/5 * * * *"
        cj.spec.startingDeadlineSeconds = 900
        cj.spec.successfulJobsHistoryLimit = 20
        let created = try harness.client.createObject(cj)
        var before: Date?
        try harness.waitFor("a first run", timeout: 60) {
            before = try? self.harness.client.getObject(CronJob.self, namespace: "default", name: "late").status?.lastScheduleTime?.date
            return before != nil
        }

        harness.kill9()
        let killed = try scheduleTime(Date())
        // Down for more than two schedule times (no assertion on the wait: it only makes them missed).
        try harness.waitFor("two schedule times to pass while the agent is down", timeout: 60) {
            ((try? self.scheduleTime(Date())) ?? killed).timeIntervalSince(killed) > 11 * 60
        }
        let restarted = try scheduleTime(Date())
        let missed = stride(from: (killed.timeIntervalSince1970 / 300).rounded(.down) + 1, through: (restarted.timeIntervalSince1970 / 300).rounded(.down), by: 1)
            .map { Date(timeIntervalSince1970: $0 * 300) }
        XCTAssertGreaterThanOrEqual(missed.count, 2)
        try harness.start(daemonArguments)

        var first: Job?
        try harness.waitFor("the first run after the restart", timeout: 60) {
            first = self.jobs(of: created.metadata.uid).filter { (self.scheduled($0) ?? .distantPast) > killed }
                .min { (self.scheduled($0) ?? .distantPast) < (self.scheduled($1) ?? .distantPast) }
            return first != nil
        }
        let firstTime = try XCTUnwrap(first.flatMap(scheduled))
        let lastMissed = try XCTUnwrap(missed.last)
        XCTAssertGreaterThanOrEqual(firstTime, lastMissed, "the most recent missed time is the one started")
        let startedMissed = jobs(of: created.metadata.uid).compactMap(scheduled).filter { $0 > killed && $0 <= lastMissed }
        XCTAssertLessThanOrEqual(startedMissed.count, 1, "missed times are started once, not each: \(startedMissed)")
        try harness.waitFor("lastScheduleTime past the downtime", timeout: 30) {
            let last = try? self.harness.client.getObject(CronJob.self, namespace: "default", name: "late").status?.lastScheduleTime?.date
            return (last ?? .distantPast) >= firstTime
        }
        try harness.waitFor("the run to complete", timeout: 60) {
            self.jobs(of: created.metadata.uid).first { $0.name == first?.name }.map { self.finished($0, "Complete") } ?? false
        }
    }
}
