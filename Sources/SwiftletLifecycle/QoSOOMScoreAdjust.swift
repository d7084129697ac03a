import SwiftletKube

/// oom_score_adj values (`pkg/kubelet/qos/policy.go`).
public enum OOMScoreAdjust {
    public static let kubelet = -999
    /// The pause process: containerd's `defaultSandboxOOMAdj`.
    public static let sandbox = -998
    public static let guaranteed = -997
    public static let bestEffort = 1000
    public static let systemNodeCritical = "system-node-critical"
}

/// `GetContainerOOMScoreAdjust` with the default feature gates (no pod-level resources, no
/// tie-break, no DRA): Guaranteed and node-critical −997, BestEffort 1000, Burstable
/// `1000 − 1000·request/capacity` (integer division) clamped to [3, 999]. A sidecar never scores
/// above the regular container with the smallest memory request, so it is not killed first.
public func oomScoreAdjust(pod: Pod, container: Container, memoryCapacity: Int64) -> Int {
    if pod.spec.priorityClassName == OOMScoreAdjust.systemNodeCritical { return OOMScoreAdjust.guaranteed }
    switch podQOSClass(pod) {
    case .guaranteed: return OOMScoreAdjust.guaranteed
    case .bestEffort: return OOMScoreAdjust.bestEffort
    case .burstable: break
    }
    // A zero or negative capacity would divide by zero; such a node has nothing to protect.
    guard memoryCapacity > 0 else { return OOMScoreAdjust.bestEffort - 1 }
    func linear(_ request: Int64) -> Int64 {
        // 1000·request overflows Int64 only past 9 PB; compute in 128 bits anyway.
        let fraction = Int128(1000) * Int128(request) / Int128(memoryCapacity)
        return Int64(clamping: 1000 - fraction)
    }
    var score = linear(memoryRequest(container))
    let isSidecar = container.isRestartableInit
        && (pod.spec.initContainers ?? []).contains { $0.name == container.name }
    if isSidecar {
        let smallest = pod.spec.containers.map(memoryRequest).min() ?? 0
        score = min(score, linear(smallest))
    }
    if score < Int64(1000 + OOMScoreAdjust.guaranteed) { return 1000 + OOMScoreAdjust.guaranteed }
    if score == Int64(OOMScoreAdjust.bestEffort) { return OOMScoreAdjust.bestEffort - 1 }
    return Int(score)
}

private func memoryRequest(_ container: Container) -> Int64 {
    PodResources.containerRequests(container)[ResourceName.memory]?.value ?? 0
}
