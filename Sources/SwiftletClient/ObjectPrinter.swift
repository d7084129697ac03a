import Foundation
import SwiftletKube

/// A stored kind's `kubectl get` columns (`pkg/printers/internalversion/printers.go`). Kinds
/// without their own columns print NAME and AGE.
public protocol TablePrintable: KubeObject {
    static var columns: [String] { get }
    func cells(now: Date) -> [String]
}

/// `kubectl get` for the stored kinds of `KubeObjectKinds`: resource names, the group-qualified
/// names kubectl prints (`deployment.apps`), and the tables.
public enum ObjectPrinter {
    /// kubectl's short names of the workload and config kinds.
    static let shortNames = [
        "deploy": "deployments", "rs": "replicasets", "ds": "daemonsets", "cm": "configmaps", "cj": "cronjobs",
    ]

    /// The stored kind a `get`/`delete` argument names: plural, singular or short name.
    public static func type(named name: String) -> (any KubeObject.Type)? {
        let n = name.lowercased()
        let resource = shortNames[n] ?? n
        return KubeObjectKinds.all.first { $0.resource == resource || $0.kind.lowercased() == resource }
    }

    /// `deployment.apps`, `configmap`: the kind with its API group, as kubectl names objects.
    public static func qualifiedKind(_ type: any KubeObject.Type) -> String {
        let parts = type.apiVersion.split(separator: "/")
        return type.kind.lowercased() + (parts.count == 2 ? "." + parts[0] : "")
    }

    public static func table(_ objects: [any KubeObject], now: Date, withNamespace: Bool, headers: Bool = true) -> String {
        guard let first = objects.first else { return "" }
        let columns = header(Swift.type(of: first))
        var text = ""
        if headers { text += ((withNamespace ? ["NAMESPACE"] : []) + columns).joined(separator: "\t") + "\n" }
        for object in objects {
            text += ((withNamespace ? [object.namespace] : []) + cells(object, now: now)).joined(separator: "\t") + "\n"
        }
        return TabWriter.table.format(text)
    }

    static func header(_ type: any KubeObject.Type) -> [String] {
        (type as? any TablePrintable.Type)?.columns ?? ["NAME", "AGE"]
    }

    static func cells(_ object: any KubeObject, now: Date) -> [String] {
        (object as? any TablePrintable)?.cells(now: now) ?? [object.name, HumanDuration.since(object.metadata.creationTimestamp, now: now)]
    }

    /// kubectl's `formatLabelSelector`-like rendering of a `nodeSelector` map.
    static func labels(_ map: [String: String]?) -> String {
        guard let map, !map.isEmpty else { return "<none>" }
        return map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

extension Deployment: TablePrintable {
    public static let columns = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    public func cells(now: Date) -> [String] {
        [
            name, "\(status?.readyReplicas ?? 0)/\(replicas)", String(status?.updatedReplicas ?? 0),
            String(status?.availableReplicas ?? 0), HumanDuration.since(metadata.creationTimestamp, now: now),
        ]
    }
}

extension ReplicaSet: TablePrintable {
    public static let columns = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    public func cells(now: Date) -> [String] {
        [
            name, String(replicas), String(status?.replicas ?? 0), String(status?.readyReplicas ?? 0),
            HumanDuration.since(metadata.creationTimestamp, now: now),
        ]
    }
}

extension ConfigMap: TablePrintable {
    public static let columns = ["NAME", "DATA", "AGE"]
    public func cells(now: Date) -> [String] {
        [name, String((data?.count ?? 0) + (binaryData?.count ?? 0)), HumanDuration.since(metadata.creationTimestamp, now: now)]
    }
}

extension Secret: TablePrintable {
    public static let columns = ["NAME", "TYPE", "DATA", "AGE"]
    public func cells(now: Date) -> [String] {
        [name, type ?? "Opaque", String(data?.count ?? 0), HumanDuration.since(metadata.creationTimestamp, now: now)]
    }
}

extension Job: TablePrintable {
    public static let columns = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    /// `printJob`: the first true condition of Complete, Failed, (deleting), Suspended,
    /// FailureTarget, SuccessCriteriaMet, else Running.
    public func cells(now: Date) -> [String] {
        let s = status ?? Job.Status()
        let succeeded = s.succeeded ?? 0
        let completions: String
        if let c = spec.completions {
            completions = "\(succeeded)/\(c)"
        } else if (spec.parallelism ?? 0) > 1 {
            completions = "\(succeeded)/1 of \(spec.parallelism ?? 0)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = s.startTime {
            duration = HumanDuration.format((s.completionTime?.date ?? now).timeIntervalSince(start.date))
        }
        let state: String
        if s.condition("Complete") != nil {
            state = "Complete"
        } else if s.condition("Failed") != nil {
            state = "Failed"
        } else if metadata.deletionTimestamp != nil {
            state = "Terminating"
        } else if s.condition("Suspended") != nil {
            state = "Suspended"
        } else if s.condition("FailureTarget") != nil {
            state = "FailureTarget"
        } else if s.condition("SuccessCriteriaMet") != nil {
            state = "SuccessCriteriaMet"
        } else {
            state = "Running"
        }
        return [name, state, completions, duration, HumanDuration.since(metadata.creationTimestamp, now: now)]
    }
}

extension DaemonSet: TablePrintable {
    public static let columns = ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    /// `printDaemonSet`.
    public func cells(now: Date) -> [String] {
        let s = status ?? DaemonSet.Status()
        return [
            name, String(s.desiredNumberScheduled), String(s.currentNumberScheduled), String(s.numberReady),
            String(s.updatedNumberScheduled ?? 0), String(s.numberAvailable ?? 0), ObjectPrinter.labels(spec.template?.spec.nodeSelector),
            HumanDuration.since(metadata.creationTimestamp, now: now),
        ]
    }
}

extension ControllerRevision: TablePrintable {
    public static let columns = ["NAME", "CONTROLLER", "REVISION", "AGE"]
    /// `printControllerRevision`: the controller as `daemonset.apps/NAME`.
    public func cells(now: Date) -> [String] {
        var controller = "<none>"
        if let ref = metadata.ownerReferences?.first(where: { $0.controller == true }) {
            let group = ref.apiVersion.split(separator: "/").dropLast().first.map { "." + $0 } ?? ""
            controller = "\(ref.kind.lowercased())\(group)/\(ref.name)"
        }
        return [name, controller, String(revision), HumanDuration.since(metadata.creationTimestamp, now: now)]
    }
}

extension CronJob: TablePrintable {
    public static let columns = ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    /// `printCronJob`: `<none>` for an unset zone or a CronJob that never ran; `printBoolPtr`
    /// prints `True` / `False` (`<unset>` for nil).
    public func cells(now: Date) -> [String] {
        let suspended = spec.suspend.map { $0 ? "True" : "False" } ?? "<unset>"
        let last = status?.lastScheduleTime.map { HumanDuration.since($0, now: now) } ?? "<none>"
        return [
            name, spec.schedule, spec.timeZone ?? "<none>", suspended, String(status?.active?.count ?? 0), last,
            HumanDuration.since(metadata.creationTimestamp, now: now),
        ]
    }
}
