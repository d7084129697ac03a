import Foundation
import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// Cron schedules (robfig/cron's standard parser) and the CronJob controller's decisions.
final class CronJobControllerTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text)!
    }

    func next(_ schedule: String, after: String, zone: String = "UTC") throws -> String? {
        let z = try XCTUnwrap(TimeZone(identifier: zone))
        let f = ISO8601DateFormatter()
        f.timeZone = z
        return try CronSchedule(parsing: schedule).next(after: date(after), in: z).map { f.string(from: $0) }
    }

    func testNextTimes() throws {
        let cases: [(String, String, String)] = [
            ("* * * * *", "2026-11-27T10:00:30Z", "2026-11-27T10:01:00Z"),
            ("*/15 * * * *", "2026-11-27T10:01:00Z", "2026-11-27T10:15:00Z"),
            ("5-10/2 3 * * *", "2026-11-27T10:00:00Z", "2026-11-28T03:05:00Z"),
            ("0 0 1,15 * *", "2026-11-27T10:00:00Z", "2026-12-01T00:00:00Z"),
            ("0 9 * * MON-FRI", "2026-11-27T10:00:00Z", "2026-11-30T09:00:00Z"),
            ("0 0 * JAN *", "2026-11-27T10:00:00Z", "2027-01-01T00:00:00Z"),
            ("@hourly", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"),
            ("@daily", "2026-11-27T10:00:00Z", "2026-11-28T00:00:00Z"),
            ("@midnight", "2026-11-27T10:00:00Z", "2026-11-28T00:00:00Z"),
            ("@weekly", "2026-11-27T10:00:00Z", "2026-11-29T00:00:00Z"),
            ("@monthly", "2026-11-27T10:00:00Z", "2026-12-01T00:00:00Z"),
            ("@yearly", "2026-11-27T10:00:00Z", "2027-01-01T00:00:00Z"),
            ("@annually", "2026-11-27T10:00:00Z", "2027-01-01T00:00:00Z"),
            // Both day fields restricted: either matches (the 1st, or a Sunday).
            ("0 0 1 * 0", "2026-11-27T10:00:00Z", "2026-11-29T00:00:00Z"),
            ("0 0 29 2 *", "2026-11-27T10:00:00Z", "2028-02-29T00:00:00Z"),
        ]
        for (schedule, after, expected) in cases {
            XCTAssertEqual(try next(schedule, after: after), expected, schedule)
        }
        XCTAssertNil(try CronSchedule(parsing: "0 0 30 2 *").next(after: date("2026-01-01T00:00:00Z"), in: utc))
    }

    /// robfig's `ConstantDelaySchedule`: the time cut to its second plus the delay, which is the
    /// duration cut to whole seconds and at least one second.
    func testEveryNextTimes() throws {
        let start = date("2026-11-27T10:00:00Z").addingTimeInterval(0.75)
        let cases: [(String, TimeInterval)] = [
            ("@every 1h30m", 5400), ("@every 90s", 90), ("@every 1.9s", 1), ("@every 500ms", 1), ("@every 0s", 1),
            ("@every -5m", 1), ("@every 2h0m0.5s", 7200), ("@every 24h", 86400),
        ]
        for (schedule, delay) in cases {
            let parsed = try CronSchedule(parsing: schedule)
            XCTAssertEqual(parsed.every, Int64(delay), schedule)
            // Any zone: the delay is absolute time.
            let zone = try XCTUnwrap(TimeZone(identifier: "Asia/Kolkata"))
            XCTAssertEqual(parsed.next(after: start, in: zone), date("2026-11-27T10:00:00Z").addingTimeInterval(delay), schedule)
        }
    }

    func testTimeZones() throws {
        // 09:00 in New York is 14:00 UTC in winter; across the spring DST change it is 13:00 UTC.
        XCTAssertEqual(try next("0 9 * * *", after: "2026-11-27T15:00:00Z", zone: "America/New_York"), "2026-11-28T09:00:00-05:00")
        XCTAssertEqual(try next("0 9 * * *", after: "2027-03-14T00:00:00Z", zone: "America/New_York"), "2027-03-14T09:00:00-04:00")
        // A half-hour zone.
        XCTAssertEqual(try next("0 * * * *", after: "2026-11-27T10:10:00Z", zone: "Asia/Kolkata"), "2026-11-27T16:00:00+05:30")
    }

    func testParseErrors() {
        let cases: [(String, String)] = [
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            ("60 * * * *", "end of range (60) above maximum (59): 60"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("5-3 * * * *", "beginning of range (5) beyond end of range (3): 5-3"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("@often", "unrecognized descriptor: @often"),
            ("x * * * *", #"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
            ("", "empty spec string"),
            ("@hourly ", "unrecognized descriptor: @hourly "),
            (" @hourly", "expected exactly 5 fields, found 1: [@hourly]"),
            ("@every", "unrecognized descriptor: @every"),
            ("@every ", #"failed to parse duration @every : time: invalid duration """#),
            ("@every 5", #"failed to parse duration @every 5: time: missing unit in duration "5""#),
            ("@every 1d", #"failed to parse duration @every 1d: time: unknown unit "d" in duration "1d""#),
            ("@every 1h ", #"failed to parse duration @every 1h : time: unknown unit "h " in duration "1h ""#),
            ("@every  1h", #"failed to parse duration @every  1h: time: invalid duration " 1h""#),
            ("@every 3000000h", #"failed to parse duration @every 3000000h: time: invalid duration "3000000h""#),
        ]
        for (schedule, message) in cases {
            XCTAssertThrowsError(try CronSchedule(parsing: schedule), schedule) { error in
                XCTAssertEqual("\(error)", message, schedule)
            }
        }
    }

    func cronJob(_ schedule: String = "* * * * *", policy: CronJob.ConcurrencyPolicy = .allow, created: String = "2026-11-27T10:00:00Z") -> CronJob {
        var template = PodTemplateSpec(spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))
        template.metadata = ObjectMeta(labels: ["app": "tick"])
        var cj = CronJob(
            metadata: ObjectMeta(name: "tick", namespace: "default", uid: "cj-uid"),
            spec: .init(schedule: schedule, jobTemplate: .init(metadata: ObjectMeta(labels: ["team": "a"]), spec: Job.Spec(template: template))))
        cj.spec.concurrencyPolicy = policy
        cj.metadata.creationTimestamp = KubeTime(date(created))
        cj.applyDefaults()
        return cj
    }

    func job(_ name: String, finished: String? = nil, started: String = "2026-11-27T10:01:00Z") -> Job {
        var job = Job(metadata: ObjectMeta(name: name, namespace: "default", uid: name), spec: Job.Spec())
        job.metadata.ownerReferences = [.controllerRef(apiVersion: "batch/v1", kind: "CronJob", name: "tick", uid: "cj-uid")]
        var status = Job.Status()
        status.startTime = KubeTime(date(started))
        if let finished {
            status.conditions = [Job.Condition(type: finished, reason: nil, message: nil, now: KubeTime(date(started)))]
            if finished == "Complete" { status.completionTime = KubeTime(date(started).addingTimeInterval(30)) }
        }
        job.status = status
        return job
    }

    func testCreatesTheDueJobNamedByItsMinute() throws {
        let plan = CronJobController.plan(cronJob(), jobs: [], now: date("2026-11-27T10:01:30Z"))
        let job = try XCTUnwrap(plan.create)
        XCTAssertEqual(job.name, "tick-\(Int(date("2026-11-27T10:01:00Z").timeIntervalSince1970 / 60))")
        XCTAssertEqual(job.metadata.labels, ["team": "a"])
        XCTAssertEqual(job.metadata.annotations?[CronJob.scheduledTimestampAnnotation], "2026-11-27T10:01:00Z")
        XCTAssertEqual(job.metadata.ownerReferences?.first?.kind, "CronJob")
        XCTAssertEqual(plan.status.lastScheduleTime, KubeTime(date("2026-11-27T10:01:00Z")))
        // Nothing is due before the first schedule time.
        XCTAssertNil(CronJobController.plan(cronJob(), jobs: [], now: date("2026-11-27T10:00:59Z")).create)
    }

    func testEverySchedulesFromCreationThenFromTheLastScheduleTime() throws {
        var cj = cronJob("@every 90s")
        XCTAssertNil(CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:01:29Z")).create)
        let first = CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:01:30Z"))
        XCTAssertEqual(first.status.lastScheduleTime, KubeTime(date("2026-11-27T10:01:30Z")))
        XCTAssertEqual(first.create?.name, "tick-\(Int(date("2026-11-27T10:01:00Z").timeIntervalSince1970 / 60))")
        XCTAssertEqual(first.nextScheduleTime, date("2026-11-27T10:03:00Z"))
        // Down for a while: the latest time on the 90 s grid since the last one runs.
        cj.status = first.status
        let late = CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:07:00Z"))
        XCTAssertEqual(late.status.lastScheduleTime, KubeTime(date("2026-11-27T10:06:00Z")))
        XCTAssertNotNil(late.create)
    }

    func testConcurrencyPolicies() throws {
        var cj = cronJob(policy: .forbid)
        cj.status = CronJob.Status()
        cj.status?.lastScheduleTime = KubeTime(date("2026-11-27T10:01:00Z"))
        let running = job("tick-old")
        let forbid = CronJobController.plan(cj, jobs: [running], now: date("2026-11-27T10:02:10Z"))
        XCTAssertNil(forbid.create)
        XCTAssertEqual(forbid.events.map(\.reason), ["JobAlreadyActive"])
        XCTAssertEqual(forbid.status.active?.map(\.name), ["tick-old"])
        XCTAssertEqual(forbid.status.lastScheduleTime, cj.status?.lastScheduleTime, "the missed time stays due")

        cj.spec.concurrencyPolicy = .replace
        let replace = CronJobController.plan(cj, jobs: [running], now: date("2026-11-27T10:02:10Z"))
        XCTAssertEqual(replace.delete, ["tick-old"])
        XCTAssertNotNil(replace.create)

        cj.spec.concurrencyPolicy = .allow
        let allow = CronJobController.plan(cj, jobs: [running], now: date("2026-11-27T10:02:10Z"))
        XCTAssertEqual(allow.delete, [])
        XCTAssertNotNil(allow.create)
    }

    func testMissedRunsStartOnceWithinTheDeadline() throws {
        var cj = cronJob()
        cj.status = CronJob.Status()
        cj.status?.lastScheduleTime = KubeTime(date("2026-11-27T10:01:00Z"))
        // Down for 10 minutes: only the latest missed time runs.
        let plan = CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:11:20Z"))
        XCTAssertEqual(plan.status.lastScheduleTime, KubeTime(date("2026-11-27T10:11:00Z")))
        XCTAssertEqual(plan.create?.name, "tick-\(Int(date("2026-11-27T10:11:00Z").timeIntervalSince1970 / 60))")
        XCTAssertFalse(plan.events.contains { $0.reason == "TooManyMissedTimes" })
        // Past startingDeadlineSeconds: missed.
        cj.spec.startingDeadlineSeconds = 10
        let late = CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:11:20Z"))
        XCTAssertNil(late.create)
        XCTAssertEqual(late.events.map(\.reason), [])  // no schedule time within the last 10 s
        cj.spec.startingDeadlineSeconds = 30
        XCTAssertNotNil(CronJobController.plan(cj, jobs: [], now: date("2026-11-27T10:11:20Z")).create)
        // More than 100 missed: the controller's warning, the latest still runs.
        cj.spec.startingDeadlineSeconds = nil
        let many = CronJobController.plan(cj, jobs: [], now: date("2026-11-27T13:00:05Z"))
        XCTAssertEqual(many.events.first?.reason, "TooManyMissedTimes")
        XCTAssertEqual(many.events.first?.message, "too many missed start times: 179. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        XCTAssertEqual(many.status.lastScheduleTime, KubeTime(date("2026-11-27T13:00:00Z")))
    }

    func testSuspendHistoryAndLastSuccessfulTime() {
        var cj = cronJob()
        cj.spec.suspend = true
        let jobs = [
            job("s1", finished: "Complete", started: "2026-11-27T10:01:00Z"), job("s2", finished: "Complete", started: "2026-11-27T10:02:00Z"),
            job("s3", finished: "Complete", started: "2026-11-27T10:03:00Z"), job("s4", finished: "Complete", started: "2026-11-27T10:04:00Z"),
            job("f1", finished: "Failed", started: "2026-11-27T10:05:00Z"), job("f2", finished: "Failed", started: "2026-11-27T10:06:00Z"),
        ]
        let plan = CronJobController.plan(cj, jobs: jobs, now: date("2026-11-27T10:10:00Z"))
        XCTAssertNil(plan.create, "suspended")
        XCTAssertEqual(plan.delete, ["s1", "f1"], "history limits 3 and 1, oldest first")
        XCTAssertEqual(plan.status.lastSuccessfulTime, KubeTime(date("2026-11-27T10:04:30Z")))
        XCTAssertNil(plan.status.active)
    }

    func testValidation() {
        var cj = cronJob("61 * * * *")
        XCTAssertEqual(cj.validate().map(\.description), [#"spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61"#])
        cj = cronJob("@every 1x")
        XCTAssertEqual(
            cj.validate().map(\.description),
            [#"spec.schedule: Invalid value: "@every 1x": failed to parse duration @every 1x: time: unknown unit "x" in duration "1x""#])
        XCTAssertEqual(cronJob("@every 1h30m").validate().map(\.description), [])
        cj = cronJob("TZ=UTC 0 * * * *")
        XCTAssertEqual(
            cj.validate().map(\.description),
            [#"spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"#])
        cj = cronJob()
        cj.spec.timeZone = "Mars/Olympus"
        XCTAssertEqual(cj.validate().map(\.description), [#"spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus"#])
        cj = cronJob()
        cj.spec.jobTemplate.spec.template?.spec.restartPolicy = .always
        XCTAssertEqual(
            cj.validate().map(\.description),
            [#"spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#])
        XCTAssertEqual(cronJob().spec.successfulJobsHistoryLimit, 3)
        XCTAssertEqual(cronJob().spec.failedJobsHistoryLimit, 1)
    }

    /// `validateScheduleFormat` reports the parse's error and the TZ refusal independently, so a
    /// schedule wrong in two ways reports both; robfig/cron reads the `TZ=` prefix's zone first.
    func testScheduleWrongInTwoWaysReportsBoth() {
        let tz = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        let cases: [(String, [String])] = [
            ("TZ=Bad/Zone 61 * * * *", ["provided bad location Bad/Zone: unknown time zone Bad/Zone", tz]),
            ("TZ=Bad/Zone 0 * * * *", ["provided bad location Bad/Zone: unknown time zone Bad/Zone", tz]),
            ("TZ=UTC 61 * * * *", ["end of range (61) above maximum (59): 61", tz]),
            ("CRON_TZ=UTC 0 * * *", ["expected exactly 5 fields, found 4: [0 * * *]", tz]),
            ("TZ=UTC @every 1x", [#"failed to parse duration @every 1x: time: unknown unit "x" in duration "1x""#, tz]),
            ("TZ=../etc 0 * * * *", ["provided bad location ../etc: time: invalid location name", tz]),
            ("TZ=UTC", ["expected exactly 5 fields, found 0: []", tz]),
            ("TZ=UTC 0 * * * *", [tz]),
            ("CRON_TZ= @hourly", [tz]),
            ("0 TZ * * *", [#"failed to parse int from TZ: strconv.Atoi: parsing "TZ": invalid syntax"#, tz]),
        ]
        for (schedule, messages) in cases {
            XCTAssertEqual(
                cronJob(schedule).validate().map(\.description),
                messages.map { #"spec.schedule: Invalid value: "\#(schedule)": \#($0)"# }, schedule)
        }
    }

    /// `validateTimeZone`'s checks and texts.
    func testTimeZoneValidation() {
        let cases: [(String, [String])] = [
            ("UTC", []),
            ("", ["timeZone must be nil or non-empty string"]),
            ("Local", ["timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"]),
            ("LOCAL", ["timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones", "unknown time zone LOCAL"]),
            ("Etc//UTC", ["unknown time zone Etc//UTC"]),
            ("../UTC", ["unknown time zone ../UTC"]),
            ("Etc/-UTC", ["unknown time zone Etc/-UTC"]),
            ("America/Argentina_Buenos", ["unknown time zone America/Argentina_Buenos"]),
            ("Mars/Olympus", ["unknown time zone Mars/Olympus"]),
        ]
        for (zone, messages) in cases {
            var cj = cronJob()
            cj.spec.timeZone = zone
            XCTAssertEqual(
                cj.validate().map(\.description), messages.map { #"spec.timeZone: Invalid value: "\#(zone)": \#($0)"# }, zone)
        }
    }

    func testSawCompletedJobForJobsThatLeftTheActiveList() {
        var cj = cronJob()
        cj.spec.suspend = true
        var status = CronJob.Status()
        status.active = [ObjectReference(job("done")), ObjectReference(job("broke")), ObjectReference(job("running"))]
        cj.status = status
        let jobs = [job("done", finished: "Complete"), job("broke", finished: "Failed"), job("running"), job("old", finished: "Complete")]
        let plan = CronJobController.plan(cj, jobs: jobs, now: date("2026-11-27T10:10:00Z"))
        XCTAssertEqual(
            plan.events.map(\.message),
            ["Saw completed job: broke, condition: Failed", "Saw completed job: done, condition: Complete"])
        XCTAssertEqual(Set(plan.events.map(\.reason)), ["SawCompletedJob"])
        XCTAssertEqual(plan.status.active?.map(\.name), ["running"])
    }
}
