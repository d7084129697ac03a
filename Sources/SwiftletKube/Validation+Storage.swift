/// Validation of volumes, volume mounts, `env[].valueFrom` and `envFrom`, after the API server's
/// `ValidateVolumes`, `ValidateVolumeMounts`, `validateEnvVarValueFrom` and `validateEnvFrom`,
/// including their field paths (some Go quirks too: `volumeMounts.subPath` is not indexed).
extension PodSpec {
    static let fileModeError = "must be a number between 0 and 0777 (octal), both inclusive"

    func validateStorage(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        var names = Set<String>()
        for (i, volume) in (volumes ?? []).enumerated() {
            let vpath = "\(path).volumes[\(i)]"
            errs += volume.validateSource(path: vpath)
            if volume.name.isEmpty {
                errs.append(.required("\(vpath).name"))
            } else {
                errs += NameValidation.isDNS1123Label(volume.name).map { .invalid("\(vpath).name", .string(volume.name), $0) }
            }
            if !volume.name.isEmpty && !names.insert(volume.name).inserted {
                errs.append(.duplicate("\(vpath).name", .string(volume.name)))
            }
        }
        let all = [("containers", containers), ("initContainers", initContainers ?? [])]
        for (list, items) in all {
            for (i, container) in items.enumerated() {
                errs += container.validateStorage(path: "\(path).\(list)[\(i)]", volumes: names)
            }
        }
        return errs
    }
}

extension Volume {
    func validateSource(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let fields = sourceFields
        if fields.isEmpty {
            errs.append(.required(path, "must specify a volume type"))
        }
        for extra in fields.dropFirst() {
            errs.append(.forbidden("\(path).\(extra)", "may not specify more than 1 volume type"))
        }
        for other in unsupportedSources {
            errs.append(.forbidden("\(path).\(other)", "\(other) volumes are not supported by swiftlet"))
        }
        if let hostPath {
            let p = "\(path).hostPath"
            if hostPath.path.isEmpty {
                errs.append(.required("\(p).path"))
            } else {
                errs += StoragePath.noBacksteps(hostPath.path, field: "\(p).path")
            }
            if let type = hostPath.type, !HostPathVolumeSource.supportedTypes.contains(type) {
                errs.append(.notSupported("\(p).type", .string(type), supported: HostPathVolumeSource.supportedTypes))
            }
        }
        if let emptyDir, let limit = emptyDir.sizeLimit, limit.sign < 0 {
            errs.append(.forbidden("\(path).emptyDir.sizeLimit", "SizeLimit field must be a valid resource quantity"))
        }
        if let configMap {
            let p = "\(path).configMap"
            if configMap.name?.isEmpty ?? true { errs.append(.required("\(p).name")) }
            errs += Self.validateFiles(configMap.items, defaultMode: configMap.defaultMode, path: p)
        }
        if let secret {
            let p = "\(path).secret"
            if secret.secretName?.isEmpty ?? true { errs.append(.required("\(p).secretName")) }
            errs += Self.validateFiles(secret.items, defaultMode: secret.defaultMode, path: p)
        }
        if let downwardAPI {
            errs += Self.validateFiles(downwardAPI.items, defaultMode: downwardAPI.defaultMode, path: "\(path).downwardAPI")
        }
        if let projected {
            let p = "\(path).projected"
            errs += StoragePath.mode(projected.defaultMode, field: "\(p).defaultMode")
            var paths = Set<String>()
            for (i, source) in (projected.sources ?? []).enumerated() {
                let sp = "\(p).sources[\(i)]"
                var count = 0
                for (field, ref) in [("configMap", source.configMap), ("secret", source.secret)] {
                    guard let ref else { continue }
                    count += 1
                    if ref.name?.isEmpty ?? true { errs.append(.required("\(sp).\(field).name")) }
                    errs += Self.validateProjectedFiles(ref.items, path: "\(sp).\(field)", paths: &paths)
                }
                if let d = source.downwardAPI {
                    count += 1
                    errs += Self.validateProjectedFiles(d.items, path: "\(sp).downwardAPI", paths: &paths)
                }
                if source.serviceAccountToken != nil {
                    count += 1
                    errs.append(.forbidden("\(sp).serviceAccountToken", "serviceAccountToken projections are not supported by swiftlet (no API server issues tokens)"))
                }
                if source.clusterTrustBundle != nil {
                    count += 1
                    errs.append(.forbidden("\(sp).clusterTrustBundle", "clusterTrustBundle projections are not supported by swiftlet"))
                }
                if count > 1 {
                    errs.append(.forbidden(sp, "may not specify more than 1 volume type per source"))
                }
            }
        }
        return errs
    }

    /// `defaultMode` and `items` of a configMap, secret or downwardAPI volume.
    private static func validateFiles<File: VolumeFile>(_ items: [File]?, defaultMode: Int32?, path: String) -> [FieldError] {
        var errs = StoragePath.mode(defaultMode, field: "\(path).defaultMode")
        for (i, item) in (items ?? []).enumerated() { errs += item.validate(path: "\(path).items[\(i)]") }
        return errs
    }

    /// The items of one projected source; a path an earlier item of any source of the volume took is a conflict.
    private static func validateProjectedFiles<File: VolumeFile>(_ items: [File]?, path: String, paths: inout Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        for (j, item) in (items ?? []).enumerated() {
            errs += item.validate(path: "\(path).items[\(j)]")
            if !paths.insert(item.path).inserted {
                errs.append(.invalid("\(path).items[\(j)].path", .string(item.path), "conflicting duplicate paths"))
            }
        }
        return errs
    }
}

/// One file of a configMap, secret, downwardAPI or projected volume.
protocol VolumeFile {
    var path: String { get }
    func validate(path: String) -> [FieldError]
}

extension KeyToPath: VolumeFile {
    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if key.isEmpty { errs.append(.required("\(path).key")) }
        if self.path.isEmpty { errs.append(.required("\(path).path")) }
        errs += StoragePath.localNonReserved(self.path, field: "\(path).path")
        errs += StoragePath.mode(mode, field: "\(path).mode")
        return errs
    }
}

extension DownwardAPIVolumeFile: VolumeFile {
    /// Field paths a downwardAPI volume may project (`validVolumeDownwardAPIFieldPathExpressions`).
    static let volumeFieldPaths = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"]

    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if self.path.isEmpty { errs.append(.required("\(path).path")) }
        errs += StoragePath.localNonReserved(self.path, field: "\(path).path")
        if let fieldRef {
            errs += fieldRef.validate(path: "\(path).fieldRef", supported: Self.volumeFieldPaths)
            if resourceFieldRef != nil {
                errs.append(.invalid(path, .string("resource"), "fieldRef and resourceFieldRef can not be specified simultaneously"))
            }
        } else if let resourceFieldRef {
            errs += resourceFieldRef.validate(path: "\(path).resourceFieldRef", volume: true)
        } else {
            errs.append(.required(path, "one of fieldRef and resourceFieldRef is required"))
        }
        errs += StoragePath.mode(mode, field: "\(path).mode")
        return errs
    }
}

extension ObjectFieldSelector {
    /// Field paths an env var may read (`validEnvDownwardAPIFieldPathExpressions`).
    public static let envFieldPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]

    /// `metadata.labels['key']` → ("metadata.labels", "key").
    public var subscripted: (path: String, key: String)? {
        guard fieldPath.hasSuffix("']"), let open = fieldPath.range(of: "['") else { return nil }
        let key = fieldPath[open.upperBound..<fieldPath.index(fieldPath.endIndex, offsetBy: -2)]
        return (String(fieldPath[..<open.lowerBound]), String(key))
    }

    func validate(path: String, supported: [String]) -> [FieldError] {
        if apiVersion?.isEmpty ?? true { return [.required("\(path).apiVersion")] }
        if fieldPath.isEmpty { return [.required("\(path).fieldPath")] }
        if apiVersion != "v1" {
            return [.invalid("\(path).fieldPath", .string(fieldPath), "error converting fieldPath: unsupported pod version: \(apiVersion ?? "")")]
        }
        if let (base, key) = subscripted {
            switch base {
            case "metadata.annotations":
                return NameValidation.isQualifiedName(key.lowercased()).map { .invalid(path, .string(key.lowercased()), $0) }
            case "metadata.labels":
                return NameValidation.isQualifiedName(key).map { .invalid(path, .string(key), $0) }
            default:
                return [.invalid(path, .string(base), "does not support subscript")]
            }
        }
        if !supported.contains(fieldPath) {
            return [.notSupported("\(path).fieldPath", .string(fieldPath), supported: supported.sorted())]
        }
        return []
    }
}

extension ResourceFieldSelector {
    public static let supportedResources = [
        "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage",
        "requests.memory",
    ]
    static let cpuDivisors: Set<String> = ["1m", "1"]
    static let memoryDivisors: Set<String> = [
        "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
    ]

    func validate(path: String, volume: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        if volume && (containerName?.isEmpty ?? true) {
            errs.append(.required("\(path).containerName"))
        } else if resource.isEmpty {
            errs.append(.required("\(path).resource"))
        } else if !Self.supportedResources.contains(resource) {
            errs.append(.notSupported("\(path).resource", .string(resource), supported: Self.supportedResources))
        }
        guard let divisor, !divisor.isZero else { return errs }
        let text = divisor.canonicalString
        switch resource {
        case "limits.cpu", "requests.cpu":
            if !Self.cpuDivisors.contains(text) {
                errs.append(.invalid("\(path).divisor", .string(resource), "only divisor's values 1m and 1 are supported with the cpu resource"))
            }
        case "limits.memory", "requests.memory":
            if !Self.memoryDivisors.contains(text) {
                errs.append(.invalid(
                    "\(path).divisor", .string(resource),
                    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"))
            }
        case "limits.ephemeral-storage", "requests.ephemeral-storage":
            if !Self.memoryDivisors.contains(text) {
                errs.append(.invalid(
                    "\(path).divisor", .string(resource),
                    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"))
            }
        default: break
        }
        return errs
    }
}

extension Container {
    func validateStorage(path: String, volumes: Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, variable) in (env ?? []).enumerated() {
            guard let from = variable.valueFrom else { continue }
            errs += from.validate(path: "\(path).env[\(i)].valueFrom", hasValue: !(variable.value ?? "").isEmpty)
        }
        for (i, source) in (envFrom ?? []).enumerated() {
            let p = "\(path).envFrom[\(i)]"
            if let prefix = source.prefix, !prefix.isEmpty {
                errs += NameValidation.isEnvVarName(prefix).map { .invalid("\(p).prefix", .string(prefix), $0) }
            }
            var count = 0
            for (field, ref) in [("configMapRef", source.configMapRef), ("secretRef", source.secretRef)] {
                guard let ref else { continue }
                count += 1
                let name = ref.name ?? ""
                if name.isEmpty {
                    errs.append(.required("\(p).\(field).name"))
                } else {
                    errs += NameValidation.isDNS1123Subdomain(name).map { .invalid("\(p).\(field).name", .string(name), $0) }
                }
            }
            if count == 0 {
                errs.append(.invalid("\(path).envFrom", .string(""), "must specify one of: `configMapRef` or `secretRef`"))
            } else if count > 1 {
                errs.append(.invalid("\(path).envFrom", .string(""), "may not have more than one field specified at a time"))
            }
        }
        var mountPaths = Set<String>()
        let privileged = securityContext?.privileged ?? false
        for (i, mount) in (volumeMounts ?? []).enumerated() {
            let p = "\(path).volumeMounts[\(i)]"
            let unindexed = "\(path).volumeMounts"
            if mount.name.isEmpty { errs.append(.required("\(p).name")) }
            if !volumes.contains(mount.name) { errs.append(FieldError(.notFound(.string(mount.name)), field: "\(p).name")) }
            if mount.mountPath.isEmpty { errs.append(.required("\(p).mountPath")) }
            if !mount.mountPath.isEmpty && !mountPaths.insert(mount.mountPath).inserted {
                errs.append(.invalid("\(p).mountPath", .string(mount.mountPath), "must be unique"))
            }
            if let sub = mount.subPath, !sub.isEmpty {
                errs += StoragePath.localDescending(sub, field: "\(unindexed).subPath")
            }
            if let expr = mount.subPathExpr, !expr.isEmpty {
                if !(mount.subPath ?? "").isEmpty {
                    errs.append(.invalid("\(p).subPathExpr", .string(expr), "subPathExpr and subPath are mutually exclusive"))
                }
                errs += StoragePath.localDescending(expr, field: "\(unindexed).subPathExpr")
            }
            if let propagation = mount.mountPropagation {
                let f = "\(unindexed).mountPropagation"
                if !VolumeMount.supportedPropagation.contains(propagation) {
                    errs.append(.notSupported(f, .string(propagation), supported: VolumeMount.supportedPropagation))
                }
                if propagation == "Bidirectional" && !privileged {
                    errs.append(.forbidden(f, "Bidirectional mount propagation is available only to privileged containers"))
                }
            }
        }
        return errs
    }
}

extension EnvVarSource {
    func validate(path: String, hasValue: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        var count = 0
        if let fieldRef {
            count += 1
            errs += fieldRef.validate(path: "\(path).fieldRef", supported: ObjectFieldSelector.envFieldPaths)
        }
        if let resourceFieldRef {
            count += 1
            errs += resourceFieldRef.validate(path: "\(path).resourceFieldRef", volume: false)
        }
        for (field, ref) in [("configMapKeyRef", configMapKeyRef), ("secretKeyRef", secretKeyRef)] {
            guard let ref else { continue }
            count += 1
            let name = ref.name ?? "", key = ref.key
            errs += NameValidation.isDNS1123Subdomain(name).map { .invalid("\(path).\(field).name", .string(name), $0) }
            if key.isEmpty {
                errs.append(.required("\(path).\(field).key"))
            } else {
                errs += NameValidation.isConfigMapKey(key).map { .invalid("\(path).\(field).key", .string(key), $0) }
            }
        }
        if count == 0 {
            errs.append(.invalid(path, .string(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        } else if hasValue {
            errs.append(.invalid(path, .string(""), "may not be specified when `value` is not empty"))
        } else if count > 1 {
            errs.append(.invalid(path, .string(""), "may not have more than one field specified at a time"))
        }
        return errs
    }
}

/// The API server's path checks for volume file names and sub-paths.
enum StoragePath {
    static func noBacksteps(_ path: String, field: String) -> [FieldError] {
        path.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            ? [.invalid(field, .string(path), "must not contain '..'")] : []
    }

    static func localDescending(_ path: String, field: String) -> [FieldError] {
        var errs: [FieldError] = []
        if path.hasPrefix("/") { errs.append(.invalid(field, .string(path), "must be a relative path")) }
        return errs + noBacksteps(path, field: field)
    }

    static func localNonReserved(_ path: String, field: String) -> [FieldError] {
        var errs = localDescending(path, field: field)
        if path.hasPrefix("..") { errs.append(.invalid(field, .string(path), "must not start with '..'")) }
        return errs
    }

    static func mode(_ mode: Int32?, field: String) -> [FieldError] {
        guard let mode, mode < 0 || mode > 0o777 else { return [] }
        return [.invalid(field, .int(Int64(mode)), PodSpec.fileModeError)]
    }
}
