import Foundation
import SwiftletImages
import SwiftletKube
import SwiftletLifecycle
import SwiftletRuntime

extension PodWorker {
    /// The image a container runs, pulled first when its pull policy asks for it, with the kubelet's
    /// events (`Pulling`, `Pulled`). The pull awaits outside the actor, so other pods' workers (and this
    /// one's status queries) go on meanwhile.
    func ensureImage(_ container: Container, field: String) async throws -> ImageRecord {
        let runtime = self.runtime
        let reference = container.image ?? ""
        if let present = try await offload({ try runtime.presentImage(container) }) {
            await events.record(
                pod, reason: "Pulled", message: "Container image \"\(reference)\" already present on machine", fieldPath: field)
            return present
        }
        await events.record(pod, reason: "Pulling", message: "Pulling image \"\(reference)\"", fieldPath: field)
        let started = Date()
        let clock = ContinuousClock.now
        let image: ImageRecord
        do {
            image = try await runtime.pullImage(container)
        } catch {
            metrics?.imagePull(result: "failure", duration: nil)
            throw error
        }
        metrics?.imagePull(result: "success", duration: ContinuousClock.now - clock)
        let seconds = Date().timeIntervalSince(started)
        let took = GoDuration.format(seconds)
        await events.record(
            pod, reason: "Pulled",
            message: "Successfully pulled image \"\(reference)\" in \(took) (\(took) including waiting). Image size: \(image.size) bytes.",
            fieldPath: field)
        return image
    }
}
