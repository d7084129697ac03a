import SwiftletKube

/// `v1.PodQOSClass`.
public enum QOSClass: String, Hashable, Sendable, CaseIterable {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"
}

/// `v1qos.ComputePodQOS`: only cpu and memory count, init containers included, and only
/// positive quantities. Guaranteed needs a cpu and a memory limit on every container and the
/// pod's summed requests equal to its summed limits.
///
/// Always computed from the spec (the kubelet prefers `status.qosClass`, which it set from
/// this same function): a stale status must not change cgroup placement.
public func podQOSClass(_ pod: Pod) -> QOSClass {
    let computeResources: Set<String> = [ResourceName.cpu, ResourceName.memory]
    var requests: [String: Quantity] = [:]
    var limits: [String: Quantity] = [:]
    var isGuaranteed = true
    for container in pod.spec.containers + (pod.spec.initContainers ?? []) {
        for (name, q) in PodResources.containerRequests(container) where computeResources.contains(name) && q.sign > 0 {
            requests[name] = (requests[name] ?? .zero) + q
        }
        var limitsFound = Set<String>()
        for (name, q) in PodResources.containerLimits(container) where computeResources.contains(name) && q.sign > 0 {
            limitsFound.insert(name)
            limits[name] = (limits[name] ?? .zero) + q
        }
        if limitsFound != computeResources { isGuaranteed = false }
    }
    if requests.isEmpty && limits.isEmpty { return .bestEffort }
    if isGuaranteed {
        for (name, request) in requests where limits[name] != request {
            isGuaranteed = false
        }
    }
    return isGuaranteed && requests.count == limits.count ? .guaranteed : .burstable
}
