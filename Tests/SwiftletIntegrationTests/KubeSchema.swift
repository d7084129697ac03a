import Foundation
import SwiftletKube

/// A strict subset of the Kubernetes OpenAPI schema for core/v1 Pod: exact field names and JSON
/// types, RFC 3339 times, known enum values. Written from the API reference, independently of
/// the Swift types, so a misspelt or mistyped field in our output is caught.
indirect enum KubeSchema: Sendable {
    case string
    case enumeration([String])
    case integer
    case boolean
    case time
    case nullableTime
    case map(KubeSchema)
    case array(KubeSchema)
    case object([String: KubeSchema], required: Set<String> = [])

    func check(_ value: JSONValue, path: String, problems: inout [String]) {
        let here = path.isEmpty ? "<root>" : path
        switch (self, value) {
        case (.string, .string), (.integer, .int), (.boolean, .bool):
            return
        case (.enumeration(let allowed), .string(let s)):
            if !allowed.contains(s) { problems.append("\(here): \"\(s)\" is not one of \(allowed)") }
        case (.time, .string(let s)), (.nullableTime, .string(let s)):
            if !Self.isRFC3339(s) { problems.append("\(here): \"\(s)\" is not an RFC 3339 time") }
        case (.nullableTime, .null):
            return
        case (.map(let element), .object(let fields)):
            for (k, v) in fields { element.check(v, path: "\(path)[\(k)]", problems: &problems) }
        case (.array(let element), .array(let items)):
            for (i, v) in items.enumerated() { element.check(v, path: "\(path)[\(i)]", problems: &problems) }
        case (.object(let schema, let required), .object(let fields)):
            for (k, v) in fields {
                guard let s = schema[k] else {
                    problems.append("\(path.isEmpty ? k : path + "." + k): unknown field")
                    continue
                }
                s.check(v, path: path.isEmpty ? k : path + "." + k, problems: &problems)
            }
            for k in required where fields[k] == nil { problems.append("\(path.isEmpty ? k : path + "." + k): required") }
        default:
            problems.append("\(here): wrong type \(value)")
        }
    }

    /// `2006-01-02T15:04:05Z` (metav1.Time) or with fractional seconds.
    static func isRFC3339(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }

    static let containerState = KubeSchema.object([
        "waiting": .object(["reason": .string, "message": .string]),
        "running": .object(["startedAt": .time]),
        "terminated": .object(
            [
                "exitCode": .integer, "signal": .integer, "reason": .string, "message": .string, "startedAt": .time,
                "finishedAt": .time, "containerID": .string,
            ], required: ["exitCode"]),
    ])

    static let containerStatus = KubeSchema.object(
        [
            "name": .string, "state": containerState, "lastState": containerState, "ready": .boolean,
            "restartCount": .integer, "image": .string, "imageID": .string, "containerID": .string, "started": .boolean,
            "stopSignal": .string,
        ], required: ["name", "ready", "restartCount", "image", "imageID"])

    static let container = KubeSchema.object(
        [
            "name": .string, "image": .string, "imagePullPolicy": .enumeration(["Always", "IfNotPresent", "Never"]),
            "command": .array(.string), "args": .array(.string), "workingDir": .string,
            "env": .array(.object(["name": .string, "value": .string], required: ["name"])),
            "ports": .array(
                .object(
                    [
                        "name": .string, "containerPort": .integer, "hostPort": .integer, "hostIP": .string,
                        "protocol": .enumeration(["TCP", "UDP", "SCTP"]),
                    ], required: ["containerPort"])),
            "restartPolicy": .string, "terminationMessagePath": .string,
            "terminationMessagePolicy": .enumeration(["File", "FallbackToLogsOnError"]), "stdin": .boolean, "tty": .boolean,
        ], required: ["name"])

    static let pod = KubeSchema.object(
        [
            "apiVersion": .enumeration(["v1"]), "kind": .enumeration(["Pod"]),
            "metadata": .object(
                [
                    "name": .string, "generateName": .string, "namespace": .string, "uid": .string,
                    "resourceVersion": .string, "generation": .integer, "labels": .map(.string),
                    "annotations": .map(.string), "creationTimestamp": .time, "deletionTimestamp": .time,
                    "deletionGracePeriodSeconds": .integer, "finalizers": .array(.string),
                ], required: ["name", "namespace", "uid", "creationTimestamp"]),
            "spec": .object(
                [
                    "containers": .array(container), "initContainers": .array(container),
                    "restartPolicy": .enumeration(["Always", "OnFailure", "Never"]),
                    "terminationGracePeriodSeconds": .integer, "activeDeadlineSeconds": .integer, "nodeName": .string,
                    "hostname": .string, "subdomain": .string, "shareProcessNamespace": .boolean,
                    "hostNetwork": .boolean, "hostPID": .boolean, "hostIPC": .boolean, "serviceAccountName": .string,
                    "priority": .integer, "priorityClassName": .string, "schedulerName": .string, "dnsPolicy": .string,
                    "enableServiceLinks": .boolean,
                    "tolerations": .array(
                        .object([
                            "key": .string, "operator": .string, "value": .string, "effect": .string,
                            "tolerationSeconds": .integer,
                        ])),
                ], required: ["containers"]),
            "status": .object(
                [
                    "phase": .enumeration(["Pending", "Running", "Succeeded", "Failed", "Unknown"]),
                    "conditions": .array(
                        .object(
                            [
                                "type": .string, "status": .enumeration(["True", "False", "Unknown"]),
                                "lastProbeTime": .nullableTime, "lastTransitionTime": .time, "reason": .string,
                                "message": .string,
                            ], required: ["type", "status"])),
                    "message": .string, "reason": .string, "hostIP": .string, "hostIPs": .array(.object(["ip": .string])),
                    "podIP": .string, "podIPs": .array(.object(["ip": .string])), "startTime": .time,
                    "initContainerStatuses": .array(containerStatus), "containerStatuses": .array(containerStatus),
                    "qosClass": .enumeration(["Guaranteed", "Burstable", "BestEffort"]),
                ], required: ["phase", "conditions", "containerStatuses", "startTime"]),
        ], required: ["apiVersion", "kind", "metadata", "spec", "status"])
}
