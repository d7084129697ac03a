import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// The clock CronJob schedules are read on. Real time, except with the test-only
/// `scheduleClockSpeed`: then schedule time runs `speed` times faster than real time from an
/// origin kept in the state directory (so it never jumps back across agent restarts), and a
/// `* * * * *` schedule fires every `60 / speed` real seconds.
struct ScheduleClock: Sendable {
    var origin: Date
    var speed: Double

    static let real = ScheduleClock(origin: Date(timeIntervalSince1970: 0), speed: 1)

    /// The clock for `speed`, its origin read from (or first written to) `<state>/schedule-clock-origin`.
    static func load(stateDirectory: String, speed: Double) -> ScheduleClock {
        guard speed > 1 else { return .real }
        let path = stateDirectory + "/schedule-clock-origin"
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return ScheduleClock(origin: Date(timeIntervalSince1970: seconds), speed: speed)
        }
        let origin = Date()
        try? String(origin.timeIntervalSince1970).write(toFile: path, atomically: true, encoding: .utf8)
        return ScheduleClock(origin: origin, speed: speed)
    }

    /// A real instant on the schedule clock.
    func scheduleTime(_ real: Date) -> Date {
        speed == 1 ? real : origin.addingTimeInterval(real.timeIntervalSince(origin) * speed)
    }

    func now() -> Date { scheduleTime(Date()) }
}

/// The CronJob controller's shell: applies `CronJobController.plan` (pure) — deletes Jobs
/// (Replace, history limits), creates the due Job through the same path as the API, records
/// the controller's events and writes `.status`.
extension Agent {
    func syncCronJobs() async {
        let cronJobs = objects.list(resource: CronJob.resource, namespace: nil)
            .compactMap { $0.value as? CronJob }
            .sorted { $0.key < $1.key }
        guard !cronJobs.isEmpty else { return }
        let now = scheduleClock.now()
        for stored in cronJobs where stored.metadata.uid != nil {
            var cronJob = stored
            // Its creation time on the schedule clock (where the first schedule counts from).
            cronJob.metadata.creationTimestamp = stored.metadata.creationTimestamp.map { KubeTime(scheduleClock.scheduleTime($0.date)) }
            let jobs = objects.list(resource: Job.resource, namespace: cronJob.namespace).compactMap { $0.value as? Job }
            var plan = CronJobController.plan(cronJob, jobs: jobs, now: now)
            var reference = ObjectReference(
                kind: CronJob.kind, namespace: cronJob.namespace, name: cronJob.name, uid: cronJob.metadata.uid)
            reference.apiVersion = CronJob.apiVersion
            for name in plan.delete {
                guard let entry = objects.get(resource: Job.resource, namespace: cronJob.namespace, name: name), entry.source == .api else { continue }
                logger.info("cronjob \(cronJob.key): deleting job \(name)")
                _ = try? await deleteObject(resource: Job.resource, namespace: cronJob.namespace, name: name)
                await events.record(about: reference, reason: "SuccessfulDelete", message: "Deleted job \(name)", component: "cronjob-controller")
            }
            if let job = plan.create {
                do {
                    _ = try await createObject(AnyKubeObject(job))
                    logger.info("cronjob \(cronJob.key): created job \(job.name)")
                } catch let error as APIError where error.status.reason == "AlreadyExists" {
                    // Created by a pass before a restart: nothing to do.
                } catch {
                    logger.warning("cronjob \(cronJob.key): FailedCreate: \(error)")
                    plan.events = [.init(type: "Warning", reason: "FailedCreate", message: "Error creating job: \(error)")]
                    plan.status.lastScheduleTime = stored.status?.lastScheduleTime
                }
            }
            for event in plan.events {
                if event.type == "Warning" { logger.warning("cronjob \(cronJob.key): \(event.reason): \(event.message)") }
                await events.record(
                    about: reference, type: event.type, reason: event.reason, message: event.message, component: "cronjob-controller")
            }
            writeStatus(CronJob.self, namespace: cronJob.namespace, name: cronJob.name, uid: reference.uid ?? "") { $0.status = plan.status }
        }
    }

    /// The garbage collector for stored objects: an API object (a CronJob's Job) whose controller
    /// is a stored kind that no longer exists is deleted, and its own dependents follow.
    func collectObjectGarbage() async {
        let owners = Set(objects.entries.values.compactMap { $0.object.metadata.uid })
        for entry in objects.entries.values where entry.source == .api {
            guard let ref = entry.object.metadata.ownerReferences?.first(where: { $0.controller == true }),
                KubeObjectKinds.type(kind: ref.kind, apiVersion: ref.apiVersion) != nil,
                !owners.contains(ref.uid), !controllerLoop.orphaning.contains(ref.uid)
            else { continue }
            let object = entry.object
            logger.info("garbage collector: deleting \(object.kind) \(object.key), its \(ref.kind) \(ref.name) is gone")
            _ = try? await deleteObject(resource: object.resource, namespace: object.value.namespace, name: object.value.name)
        }
    }

    /// `propagationPolicy: Orphan` for stored dependents: their references to `uid` are removed.
    func releaseObjectDependents(of uid: String) {
        for entry in objects.entries.values where entry.source == .api {
            guard entry.object.metadata.ownerReferences?.contains(where: { $0.uid == uid }) ?? false else { continue }
            var value = entry.object.value
            let refs = (value.metadata.ownerReferences ?? []).filter { $0.uid != uid }
            value.metadata.ownerReferences = refs.isEmpty ? nil : refs
            let stored = storeObject(AnyKubeObject(value), source: .api)
            try? apiObjects.save(stored)
        }
    }
}
