import Foundation
import SwiftletKube
import SwiftletLifecycle

/// What a restarted agent needs to publish a pod as it was: on Kubernetes the pod status lives in
/// the API server and survives kubelet restarts; here the pod's run directory keeps its start time
/// (every pod, from its first status on), the reason a pod waits for admission, and, once it
/// finished, its final status.
extension PodWorker {
    /// The final status of a pod that reached Succeeded or Failed (rejected at admission too).
    static let finalStatusFileName = "final-status.json"
    /// The status reason and message of a pod waiting for resources (`OutOfcpu`...), so a restarted
    /// agent that finds the pod still waiting records no second warning event.
    static let admissionWaitFileName = "admission-wait.json"

    struct AdmissionWait: Codable, Equatable {
        var reason: String?
        var message: String?
    }

    /// Records (or, with nil, removes) why the pod waits for admission.
    func recordAdmissionWait(reason: String?, message: String?) async {
        let path = runtime.runDirectory(uid: uid).path + "/" + Self.admissionWaitFileName
        guard !gone else { return }
        let data = reason == nil ? nil : try? JSONEncoder().encode(AdmissionWait(reason: reason, message: message))
        _ = await offload {
            if let data { FileManager.default.createFile(atPath: path, contents: data) } else { unlink(path) == 0 }
        }
    }

    /// After each sync: records the pod's `status.startTime` once, in its run directory (which the
    /// agent creates with the pod's status watch; a directory removed with the pod is not recreated).
    func recordStartTime() async {
        guard !gone, let start = status?.startTime?.date, recordedStartTime != start else { return }
        let path = runtime.runDirectory(uid: uid).path + "/" + PodStartTimeRecord.fileName
        let text = PodStartTimeRecord.text(start)
        if await offload({ FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }) {
            recordedStartTime = start
        }
    }

    /// The status a previous agent left for a pod: its final status once it finished, else a
    /// Pending status carrying its start time and why it waits for admission; nil when nothing
    /// was recorded (or readable).
    /// `admitted`: the pod has a sandbox record, so it was admitted and a wait record is stale (an
    /// agent stopped between admitting the pod and removing it).
    static func recordedStatus(runDirectory: String, admitted: Bool) -> PodStatus? {
        if let data = FileManager.default.contents(atPath: runDirectory + "/" + finalStatusFileName),
            let status = try? KubeJSON.decode(PodStatus.self, from: data)
        {
            return status
        }
        let start = FileManager.default.contents(atPath: runDirectory + "/" + PodStartTimeRecord.fileName).flatMap {
            PodStartTimeRecord.startTime(String(decoding: $0, as: UTF8.self), now: Date())
        }
        let wait =
            admitted
            ? nil
            : FileManager.default.contents(atPath: runDirectory + "/" + admissionWaitFileName).flatMap {
                try? JSONDecoder().decode(AdmissionWait.self, from: $0)
            }
        guard start != nil || wait != nil else { return nil }
        var status = PodStatus(phase: .pending)
        status.startTime = start.map { KubeTime($0) }
        status.reason = wait?.reason
        status.message = wait?.message
        return status
    }
}
