import Foundation
import SwiftletKube
import SwiftletLifecycle
import SwiftletServer

/// The Job controller's shell: applies `JobController.plan` (pure) in the order that keeps the
/// counts exact across a crash — record the finished pods in the status, then remove their
/// tracking finalizer, then create/delete pods, then write the counted status.
extension Agent {
    func syncJobs() async {
        let jobs = objects.list(resource: Job.resource, namespace: nil)
            .compactMap { $0.value as? Job }
            .sorted { $0.key < $1.key }
        for job in jobs where job.metadata.uid != nil {
            await syncJob(job)
        }
    }

    func syncJob(_ job: Job) async {
        let plan = JobController.plan(job, pods: controllablePods, now: Date(), backoff: configuration.jobBackoff)
        let owner = JobController.ownerReference(job)
        let uid = owner.uid
        for pod in plan.adopt {
            // An adopted pod is tracked like one the Job created.
            await updateAPIPodMetadata(podUID: pod) { meta in
                meta.ownerReferences = (meta.ownerReferences ?? []).filter { $0.uid != uid } + [owner]
                if !(meta.finalizers ?? []).contains(Job.trackingFinalizer) { meta.finalizers = (meta.finalizers ?? []) + [Job.trackingFinalizer] }
            }
        }
        for pod in plan.release {
            await updateAPIPodMetadata(podUID: pod) { meta in
                meta.ownerReferences = (meta.ownerReferences ?? []).filter { $0.uid != uid }
                meta.finalizers = (meta.finalizers ?? []).filter { $0 != Job.trackingFinalizer }
            }
        }
        if let record = plan.recordStatus {
            writeStatus(Job.self, namespace: job.namespace, name: job.name, uid: uid) { $0.status = record }
        }
        for pod in plan.removeTracking {
            await updateAPIPodMetadata(podUID: pod) { meta in
                meta.finalizers = (meta.finalizers ?? []).filter { $0 != Job.trackingFinalizer }
            }
        }
        for podUID in plan.delete {
            guard let pod = published[podUID] else { continue }
            logger.info("job \(job.key): deleting pod \(pod.name)")
            do {
                _ = try await deletePod(namespace: pod.namespace, name: pod.name, gracePeriodSeconds: nil)
                await recordJobEvent(job, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
            } catch {
                await recordJobEvent(job, type: "Warning", reason: "FailedDelete", message: "Error deleting: \(error)")
            }
        }
        var status = plan.status
        for index in plan.create {
            guard let pod = JobController.pod(for: job, index: index, pods: controllablePods) else { break }
            do {
                let created = try await createPod(pod)
                logger.info("job \(job.key): created pod \(created.name)")
                await recordJobEvent(job, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
            } catch {
                // The controller's FailedCreate: fewer pods are active; the next pass retries.
                logger.warning("job \(job.key): FailedCreate: \(error)")
                await recordJobEvent(job, type: "Warning", reason: "FailedCreate", message: "Error creating: \(error)")
                status.active = (status.active ?? 1) > 1 ? (status.active ?? 1) - 1 : nil
            }
        }
        writeStatus(Job.self, namespace: job.namespace, name: job.name, uid: uid) { $0.status = status }
        for event in JobController.finishedEvents(before: job.status, after: status) {
            await recordJobEvent(job, type: event.type, reason: event.reason, message: event.message)
        }
        if plan.deleteJob, let entry = objects.get(resource: Job.resource, namespace: job.namespace, name: job.name), entry.source == .api {
            // The TTL-after-finished controller; the garbage collector then deletes the pods.
            logger.info("job \(job.key): ttlSecondsAfterFinished passed, deleting it")
            _ = try? await deleteObject(resource: Job.resource, namespace: job.namespace, name: job.name)
        }
    }

    /// The events kube-controller-manager's `job-controller` records on a Job.
    func recordJobEvent(_ job: Job, type: String = "Normal", reason: String, message: String) async {
        var object = ObjectReference(kind: Job.kind, namespace: job.namespace, name: job.name, uid: job.metadata.uid)
        object.apiVersion = Job.apiVersion
        await events.record(about: object, type: type, reason: reason, message: message, component: "job-controller")
    }

    /// Changes an API pod's metadata as a controller does (owner references, finalizers): kept by
    /// the worker and persisted like a PUT, except for a pod already being deleted, whose stored
    /// copy is gone.
    func updateAPIPodMetadata(podUID: String, _ transform: (inout ObjectMeta) -> Void) async {
        guard let worker = workers[podUID], var current = published[podUID], sources[podUID] == .api else { return }
        let before = current.metadata
        transform(&current.metadata)
        if current.metadata.finalizers?.isEmpty ?? false { current.metadata.finalizers = nil }
        if current.metadata.ownerReferences?.isEmpty ?? false { current.metadata.ownerReferences = nil }
        guard current.metadata != before else { return }
        if current.metadata.deletionTimestamp == nil {
            var stored = current
            stored.status = nil
            try? apiStore.save(stored)
        }
        await worker.updateMetadata(current.metadata)
    }
}
