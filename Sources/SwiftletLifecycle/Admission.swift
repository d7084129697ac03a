import SwiftletKube

/// The kubelet's resource admission (`pkg/kubelet/lifecycle/predicate.go` over the scheduler's
/// `noderesources.Fits`): the pod's effective requests must fit in what the running pods leave.
/// Only the first shortage is reported, cpu before memory, as the kubelet does.
///
/// `reason` is `OutOfcpu` / `OutOfmemory`; `message` is the pod status message
/// (`Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 500, capacity: 2000`).
public func admit(pod: Pod, running: [Pod], allocatable: NodeAllocatable) -> (
    admitted: Bool, reason: String?, message: String?
) {
    // `rejectPodAdmissionBasedOnOSField`: a node only runs pods built for its own OS.
    if let os = pod.spec.os?.name, os != PodOS.linux {
        return (false, "PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS")
    }
    let wanted = PodResources.requests(pod)
    let used = running.map(PodResources.requests)
    let checks: [(name: String, amount: (Quantity) -> Int64, capacity: Int64)] = [
        (ResourceName.cpu, \.milliValue, allocatable.cpuMilli),
        (ResourceName.memory, \.value, allocatable.memoryBytes),
    ]
    for check in checks {
        let requested = wanted[check.name].map(check.amount) ?? 0
        let inUse = used.reduce(Int64(0)) { sum, requests in
            sum &+ (requests[check.name].map(check.amount) ?? 0)
        }
        // Go compares `requested > capacity - used`; in 128 bits the subtraction cannot wrap.
        if requested > 0 && Int128(requested) > Int128(check.capacity) - Int128(inUse) {
            let detail = "Node didn't have enough resource: \(check.name), requested: \(requested), "
                + "used: \(inUse), capacity: \(check.capacity)"
            return (false, "OutOf\(check.name)", "Pod was rejected: \(detail)")
        }
    }
    return (true, nil, nil)
}
