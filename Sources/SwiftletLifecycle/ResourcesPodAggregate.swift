import SwiftletKube

/// Pod-wide resource totals as `k8s.io/component-helpers/resource` computes them
/// (`PodRequests`, `PodLimits`), without pod-level resources and overhead.
///
/// App containers and sidecars run together, so they add up; a plain init container runs alone
/// next to the sidecars started before it, so the pod needs the larger of the two phases.
public enum PodResources {
    /// The requests a container is treated as having: defaulting copies limits into missing requests.
    public static func containerRequests(_ container: Container) -> [String: Quantity] {
        var result = container.resources?.limits ?? [:]
        for (name, q) in container.resources?.requests ?? [:] { result[name] = q }
        return result
    }

    public static func containerLimits(_ container: Container) -> [String: Quantity] {
        container.resources?.limits ?? [:]
    }

    /// `PodRequests`: max(sum of app containers and sidecars, each init container with the sidecars before it).
    public static func requests(_ pod: Pod) -> [String: Quantity] {
        aggregate(pod, containerRequests)
    }

    /// `PodLimits`, by the same rule.
    public static func limits(_ pod: Pod) -> [String: Quantity] {
        aggregate(pod, containerLimits)
    }

    static func aggregate(_ pod: Pod, _ resources: (Container) -> [String: Quantity]) -> [String: Quantity] {
        var total: [String: Quantity] = [:]
        for container in pod.spec.containers { add(resources(container), to: &total) }
        var sidecars: [String: Quantity] = [:]
        var initPeak: [String: Quantity] = [:]
        for container in pod.spec.initContainers ?? [] {
            let own = resources(container)
            var phase: [String: Quantity]
            if container.isRestartableInit {
                add(own, to: &total)
                add(own, to: &sidecars)
                phase = sidecars
            } else {
                phase = own
                add(sidecars, to: &phase)
            }
            raise(&initPeak, to: phase)
        }
        raise(&total, to: initPeak)
        return total
    }

    static func add(_ list: [String: Quantity], to total: inout [String: Quantity]) {
        for (name, q) in list { total[name] = (total[name] ?? .zero) + q }
    }

    /// `maxResourceList`.
    static func raise(_ total: inout [String: Quantity], to other: [String: Quantity]) {
        for (name, q) in other where total[name].map({ q > $0 }) ?? true { total[name] = q }
    }
}
