import Foundation
import SwiftletKube

/// The UID of a pod read from a manifest file: FNV-1a 128 over the canonical JSON of the
/// defaulted pod (sorted keys, no status), then `host:<node>` and `file:<path>`, as the kubelet
/// hashes its deep-printed pod. Content, path or node change ⇒ new UID ⇒ the old pod is replaced.
///
/// Hash the pod as decoded from the file, before `annotateStaticPod` adds uid, annotations and
/// node name; `annotateStaticPod` does exactly that.
public func staticPodUID(pod: Pod, filePath: String, nodeName: String) -> String {
    var canonical = pod.withDefaults()
    canonical.status = nil
    var hasher = FNV1a128()
    // Encoding a value of our own Codable types cannot fail; an empty body still yields a
    // stable, path-specific hash rather than a crash.
    if let json = try? KubeJSON.encode(canonical) { hasher.update(json) }
    hasher.update("host:\(nodeName)")
    hasher.update("file:\(filePath)")
    return hasher.hexDigest
}

public enum StaticPodAnnotation {
    public static let configHash = "kubernetes.io/config.hash"
    public static let configSource = "kubernetes.io/config.source"
    public static let configSeen = "kubernetes.io/config.seen"
}

/// What the kubelet's file source adds to a static pod (`config/common.go applyDefaults`),
/// except that the name keeps no `-<node>` suffix. Defaults are applied first.
public func annotateStaticPod(_ pod: inout Pod, filePath: String, nodeName: String, seen: Date) {
    let uid = staticPodUID(pod: pod, filePath: filePath, nodeName: nodeName)
    pod.applyDefaults()
    pod.metadata.uid = uid
    var annotations = pod.metadata.annotations ?? [:]
    annotations[StaticPodAnnotation.configHash] = uid
    annotations[StaticPodAnnotation.configSource] = "file"
    annotations[StaticPodAnnotation.configSeen] = KubeTime.formatRFC3339Nano(seen)
    pod.metadata.annotations = annotations
    pod.metadata.creationTimestamp = KubeTime(seen)
    pod.spec.nodeName = nodeName
    // Static pods must survive NoExecute taints on their own node.
    let tolerateAll = Toleration(operator: "Exists", effect: "NoExecute")
    var tolerations = pod.spec.tolerations ?? []
    if !tolerations.contains(tolerateAll) { tolerations.append(tolerateAll) }
    pod.spec.tolerations = tolerations
    var status = pod.status ?? PodStatus()
    status.phase = .pending
    pod.status = status
}

/// A stable uid for a stored object defined by a manifest file, so that the controller references
/// of the pods a file-defined ReplicaSet created still point to it after an agent restart.
public func manifestObjectUID(kind: String, namespace: String, name: String, filePath: String) -> String {
    var hasher = FNV1a128()
    hasher.update("\(kind)/\(namespace)/\(name)")
    hasher.update("file:\(filePath)")
    let hex = Array(hasher.hexDigest)
    // Shaped like the API server's UUIDs.
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
}
