import Foundation
import SwiftletKube
import SwiftletRuntime

/// Start-up handling of state files a crash (of the disk, the machine or an editor) left
/// unreadable. Each is logged with its path and cause; none stops the agent.
extension Agent {
    /// An API pod whose record in `<state>/apipods` does not decode is recovered from its run
    /// directory's `pod.json` (the pod as it was admitted) when that is an API pod with the same
    /// UID; otherwise the record is set aside as `.corrupt` and the pod, unknown, is not run.
    func recoverUnreadableAPIRecords(_ records: [APIPodStore.Unreadable]) {
        for record in records {
            if let pod = adoptable[record.uid], pod.metadata.annotations?["kubernetes.io/config.source"] == "api" {
                logger.error("API pod record \(record.path) is unreadable (\(record.problem)); recovered \(pod.key) from its run directory")
                do { try apiStore.save(pod) } catch {
                    logger.error("cannot rewrite \(record.path): \(error)")
                }
                admit(pod, source: .api)
            } else {
                logger.error("API pod record \(record.path) is unreadable (\(record.problem)) and no run directory holds the pod; kept as \(record.path).corrupt")
                apiStore.setAside(record)
            }
        }
    }

    /// Run directories without a readable `pod.json`: a pod a source still wants (same UID) gets the
    /// file rewritten and keeps its sandbox (one that never had a sandbox is left as it is); any
    /// other is torn down by UID, as a deleted pod is.
    func handleUnreadableSandboxes() async {
        let runtime = self.runtime
        for sandbox in await offload({ runtime.unreadableSandboxes() }) {
            if let pod = published[sandbox.uid], workers[sandbox.uid] != nil {
                // No sandbox was ever made for it (rejected, or waiting for admission): nothing to
                // repair, and a `pod.json` would make the next agent take it for admitted.
                guard sandbox.sandboxStarted else { continue }
                logger.error("sandbox record \(sandbox.problem); rewritten from the desired pod \(pod.key)")
                do { try runtime.rewritePodFile(pod) } catch { logger.error("cannot rewrite the record of \(pod.key): \(error)") }
            } else {
                logger.error("sandbox record \(sandbox.problem); no source wants pod \(sandbox.uid), removing it")
                do { try await offload { try runtime.removeSandbox(uid: sandbox.uid) } } catch {
                    logger.error("removing sandbox \(sandbox.uid): \(error)")
                }
            }
        }
    }
}
