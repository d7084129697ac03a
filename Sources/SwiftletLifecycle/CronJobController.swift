import Foundation
import SwiftletKube

/// What the CronJob controller (`pkg/controller/cronjob`, v2) decides in one sync, without I/O.
public struct CronJobPlan: Hashable, Sendable {
    /// The Job to create for the schedule time that is due, nil if none.
    public var create: Job?
    /// Names of the CronJob's Jobs to delete: the running ones under `Replace`, and finished
    /// ones beyond the history limits.
    public var delete: [String] = []
    public var status = CronJob.Status()
    /// Events the controller records (`type`, `reason`, `message`).
    public var events: [Event] = []
    /// When the schedule is next due (for the log; passes run at least every housekeeping tick).
    public var nextScheduleTime: Date?

    public typealias Event = ControllerEvent
}

public enum CronJobController {
    /// More missed start times than this only warns (`TooManyMissedTimes`); the latest still runs.
    public static let tooManyMissed = 100

    public static func ownerReference(_ cronJob: CronJob) -> OwnerReference {
        .controllerRef(apiVersion: CronJob.apiVersion, kind: CronJob.kind, name: cronJob.name, uid: cronJob.metadata.uid ?? "")
    }

    /// `getJobName`: `<cronjob>-<scheduled time in minutes since the epoch>`.
    public static func jobName(_ cronJob: CronJob, scheduledTime: Date) -> String {
        "\(cronJob.name)-\(Int64((scheduledTime.timeIntervalSince1970 / 60).rounded(.down)))"
    }

    /// `mostRecentScheduleTime`: the latest schedule time in (earliest, now], and how many were
    /// missed. `earliest` is the last schedule time (or the creation time), moved up to
    /// `now − startingDeadlineSeconds` when that is later.
    public static func mostRecentScheduleTime(
        _ cronJob: CronJob, schedule: CronSchedule, zone: TimeZone, now: Date
    ) -> (time: Date?, missed: Int) {
        var earliest = cronJob.status?.lastScheduleTime?.date ?? cronJob.metadata.creationTimestamp?.date ?? now
        if let deadline = cronJob.spec.startingDeadlineSeconds {
            earliest = max(earliest, now.addingTimeInterval(-TimeInterval(deadline)))
        }
        guard earliest <= now, let t1 = schedule.next(after: earliest, in: zone), t1 <= now else { return (nil, 0) }
        guard let t2 = schedule.next(after: t1, in: zone), t2 <= now else { return (t1, 1) }
        // The controller's estimate: how many intervals t1→t2 fit between t1 and now, then the
        // exact latest time found from one interval before the estimate.
        let interval = (t2.timeIntervalSince(t1)).rounded()
        guard interval >= 1 else { return (nil, 0) }
        let missed = Int(now.timeIntervalSince(t1) / interval) + 1
        var t = t1.addingTimeInterval(TimeInterval(missed - 2) * interval)
        var mostRecent: Date?
        while let n = schedule.next(after: t, in: zone), n <= now {
            mostRecent = n
            t = n
        }
        return (mostRecent ?? t2, missed)
    }

    static func isFinished(_ job: Job) -> (finished: Bool, succeeded: Bool) {
        let conditions = job.status?.conditions ?? []
        if conditions.contains(where: { $0.type == Job.ConditionType.complete && $0.status == .true }) { return (true, true) }
        if conditions.contains(where: { $0.type == Job.ConditionType.failed && $0.status == .true }) { return (true, false) }
        return (false, false)
    }

    /// One sync of `cronJob`, given the Jobs of its namespace and the schedule clock's `now`.
    public static func plan(_ cronJob: CronJob, jobs: [Job], now: Date) -> CronJobPlan {
        var plan = CronJobPlan()
        var status = cronJob.status ?? CronJob.Status()
        let owned = jobs.filter { job in
            job.namespace == cronJob.namespace
                && job.metadata.ownerReferences?.contains { $0.controller == true && $0.uid == cronJob.metadata.uid } ?? false
        }

        // Reconcile `active` with the Jobs that exist and are not finished.
        var active: [ObjectReference] = []
        let wasActive = Set((cronJob.status?.active ?? []).compactMap(\.uid))
        for job in owned.sorted(by: { $0.name < $1.name }) {
            let (finished, succeeded) = isFinished(job)
            if finished, let uid = job.metadata.uid, wasActive.contains(uid) {
                // The controller's `SawCompletedJob`, with Go's `%v` of the condition type.
                plan.events.append(
                    .init(
                        type: "Normal", reason: "SawCompletedJob",
                        message: "Saw completed job: \(job.name), condition: \(succeeded ? Job.ConditionType.complete : Job.ConditionType.failed)"))
            }
            if !finished {
                active.append(ObjectReference(job))
            } else if succeeded, let done = job.status?.completionTime {
                if status.lastSuccessfulTime.map({ $0 < done }) ?? true { status.lastSuccessfulTime = done }
            }
        }
        status.active = active.isEmpty ? nil : active
        plan.status = status
        plan.delete = historyToDelete(cronJob, owned: owned)
        guard cronJob.metadata.deletionTimestamp == nil, !(cronJob.spec.suspend ?? false) else { return plan }
        guard let schedule = try? CronSchedule(parsing: cronJob.spec.schedule) else {
            plan.events.append(.init(type: "Warning", reason: "UnparseableSchedule", message: "unparseable schedule: \(cronJob.spec.schedule)"))
            return plan
        }
        guard let zone = cronJob.location else {
            plan.events.append(
                .init(type: "Warning", reason: "UnknownTimeZone", message: "invalid timeZone: \"\(cronJob.spec.timeZone ?? "")\""))
            return plan
        }
        let (due, missed) = mostRecentScheduleTime(cronJob, schedule: schedule, zone: zone, now: now)
        plan.nextScheduleTime = schedule.next(after: now, in: zone)
        guard let scheduled = due else { return plan }
        if missed > tooManyMissed {
            plan.events.append(
                .init(
                    type: "Warning", reason: "TooManyMissedTimes",
                    message: "too many missed start times: \(missed). Set or decrease .spec.startingDeadlineSeconds or check clock skew"))
        }
        if let deadline = cronJob.spec.startingDeadlineSeconds, scheduled.addingTimeInterval(TimeInterval(deadline)) < now {
            plan.events.append(
                .init(type: "Warning", reason: "MissedSchedule", message: "Missed scheduled time to start a job: \(rfc3339(scheduled, zone))"))
            return plan
        }
        let name = jobName(cronJob, scheduledTime: scheduled)
        if active.contains(where: { $0.name == name }) || owned.contains(where: { $0.name == name }) {
            // Already created for this time (a pass before a restart, or a finished run).
            if status.lastScheduleTime.map({ $0.date < scheduled }) ?? true { plan.status.lastScheduleTime = KubeTime(scheduled) }
            return plan
        }
        switch cronJob.concurrencyPolicy {
        case .forbid where !active.isEmpty:
            // The missed time stays due: it starts when the running Job has finished (if still
            // within startingDeadlineSeconds).
            plan.events.append(
                .init(type: "Normal", reason: "JobAlreadyActive", message: "Not starting job because prior execution is running and concurrency policy is Forbid"))
            return plan
        case .replace:
            for job in active {
                if let n = job.name { plan.delete.append(n) }
            }
            plan.status.active = nil
        default:
            break
        }
        var job = Job(metadata: ObjectMeta(name: name, namespace: cronJob.namespace), spec: cronJob.spec.jobTemplate.spec)
        job.metadata.labels = cronJob.spec.jobTemplate.metadata?.labels
        var annotations = cronJob.spec.jobTemplate.metadata?.annotations ?? [:]
        annotations[CronJob.scheduledTimestampAnnotation] = rfc3339(scheduled, zone)
        job.metadata.annotations = annotations
        job.metadata.ownerReferences = [ownerReference(cronJob)]
        plan.create = job
        plan.status.lastScheduleTime = KubeTime(scheduled)
        plan.events.append(.init(type: "Normal", reason: "SuccessfulCreate", message: "Created job \(name)"))
        return plan
    }

    /// `cleanupFinishedJobs`: the oldest finished Jobs (by start time) beyond
    /// `successfulJobsHistoryLimit` / `failedJobsHistoryLimit`.
    static func historyToDelete(_ cronJob: CronJob, owned: [Job]) -> [String] {
        func oldest(_ jobs: [Job], keep: Int32?) -> [String] {
            guard let keep else { return [] }
            let sorted = jobs.sorted { a, b in
                switch (a.status?.startTime, b.status?.startTime) {
                case (let x?, let y?) where x != y: return x < y
                case (nil, .some): return false
                case (.some, nil): return true
                default: return a.name < b.name
                }
            }
            return sorted.prefix(max(0, sorted.count - Int(keep))).map(\.name)
        }
        let succeeded = owned.filter { isFinished($0) == (true, true) }
        let failed = owned.filter { isFinished($0) == (true, false) }
        return oldest(succeeded, keep: cronJob.spec.successfulJobsHistoryLimit) + oldest(failed, keep: cronJob.spec.failedJobsHistoryLimit)
    }

    static func rfc3339(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
