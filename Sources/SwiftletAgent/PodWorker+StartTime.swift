import Foundation
import SwiftletKube
import SwiftletLifecycle

/// What a restarted agent needs to publish a pod as it was: on Kubernetes the pod status lives in
/// the API server and survives kubelet restarts; here the pod's run directory keeps its start time
/// (every pod, from its first status on) and, once it finished, its final status.
extension PodWorker {
    /// The final status of a pod that reached Succeeded or Failed (rejected at admission too).
    static let finalStatusFileName = "final-status.json"

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
    /// Pending status carrying only its start time; nil when neither was recorded (or readable).
    static func recordedStatus(runDirectory: String) -> PodStatus? {
        if let data = FileManager.default.contents(atPath: runDirectory + "/" + finalStatusFileName),
            let status = try? KubeJSON.decode(PodStatus.self, from: data)
        {
            return status
        }
        guard let data = FileManager.default.contents(atPath: runDirectory + "/" + PodStartTimeRecord.fileName),
            let start = PodStartTimeRecord.startTime(String(decoding: data, as: UTF8.self), now: Date())
        else { return nil }
        var status = PodStatus(phase: .pending)
        status.startTime = KubeTime(start)
        return status
    }
}
