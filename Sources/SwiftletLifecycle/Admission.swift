import SwiftletKube

/// The kubelet's resource admission (`pkg/kubelet/lifecycle/predicate.go` over the scheduler's
/// `noderesources.Fits`): the pod's effective requests must fit in what the running pods leave.
/// Only the first shortage is reported, cpu before memory, as the kubelet does.
///
/// `reason` is `OutOfcpu` / `OutOfmemory`; `message` is the admission's (`Node didn't have enough
/// resource: cpu, requested: 3000, used: 500, capacity: 2000`), the event's text; the pod status
/// message adds `AdmissionRejection.statusMessage`'s prefix.
public func admit(pod: Pod, running: [Pod], allocatable: NodeAllocatable) -> (
    admitted: Bool, reason: String?, message: String?
) {
    let os = admitPodOS(pod: pod)
    guard os.admitted else { return os }
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
            let message = "Node didn't have enough resource: \(check.name), requested: \(requested), "
                + "used: \(inUse), capacity: \(check.capacity)"
            return (false, "OutOf\(check.name)", message)
        }
    }
    return (true, nil, nil)
}
