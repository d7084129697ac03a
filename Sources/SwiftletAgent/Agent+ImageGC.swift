import Foundation
import SwiftletImages
import SwiftletKube

extension Agent {
    /// The kubelet's image GC, checked at every housekeeping tick (a statvfs; nothing happens below the
    /// high mark): images named by any pod this agent runs are in use and never removed.
    func collectImageGarbage() async {
        // From the published pods (the workers' specs, which never change), not by asking every
        // worker actor on every tick.
        var references: Set<String> = []
        for pod in published.values { references.formUnion(pod.imageReferences) }
        let names = references, store = runtime.images, policy = configuration.imageGC, logger = self.logger
        let removed = await offload { () -> [ImageRecord] in
            let inUse = Set(names.compactMap { try? store.resolve($0)?.id })
            do { return try store.collectImages(policy: policy, inUse: inUse) } catch {
                logger.warning("image garbage collection: \(error)")
                return []
            }
        }
        for image in removed {
            logger.info("image garbage collection removed \(image.references.first ?? image.id) (\(image.id), \(image.size) bytes)")
        }
    }
}

extension Pod {
    /// Every image the pod's containers name.
    var imageReferences: [String] {
        (spec.initContainers ?? []).compactMap(\.image) + spec.containers.compactMap(\.image)
    }
}
