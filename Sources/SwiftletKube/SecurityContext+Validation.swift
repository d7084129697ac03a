/// `ValidatePodSecurityContext` and `ValidateSecurityContext` (`pkg/apis/core/validation`),
/// with the API server's field paths and messages.
///
/// Where Go prints a whole struct as the rejected value (`%#v` of a pointer, which includes
/// memory addresses and so is never reproducible) we print the fields that caused the error.
extension PodSecurityContext {
    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        errs += SecurityContext.validateID(runAsUser, path: "\(path).runAsUser")
        errs += SecurityContext.validateID(runAsGroup, path: "\(path).runAsGroup")
        for (i, gid) in (supplementalGroups ?? []).enumerated() {
            errs += SecurityContext.validateID(gid, path: "\(path).supplementalGroups[\(i)]")
        }
        errs += SecurityContext.validateID(fsGroup, path: "\(path).fsGroup")
        if let policy = fsGroupChangePolicy, !PodSecurityContext.supportedFSGroupChangePolicies.contains(policy) {
            errs.append(.notSupported(
                "\(path).fsGroupChangePolicy", .string(policy),
                supported: PodSecurityContext.supportedFSGroupChangePolicies))
        }
        var names = Set<String>()
        for (i, sysctl) in (sysctls ?? []).enumerated() {
            let spath = "\(path).sysctls[\(i)].name"
            if sysctl.name.isEmpty {
                errs.append(.required(spath))
            } else if !names.insert(sysctl.name).inserted {
                errs.append(.duplicate(spath, .string(sysctl.name)))
            }
        }
        if let seccompProfile {
            errs += seccompProfile.validate(path: "\(path).seccompProfile")
        }
        return errs
    }
}

extension SecurityContext {
    /// `validation.IsValidUserID` / `IsValidGroupID`: Linux ids the API accepts are 0...MaxInt32.
    static func validateID(_ id: Int64?, path: String) -> [FieldError] {
        guard let id, !(0...Int64(Int32.max)).contains(id) else { return [] }
        return [.invalid(path, .int(id), NameValidation.inclusiveRangeError(0, Int64(Int32.max)))]
    }

    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        errs += SecurityContext.validateID(runAsUser, path: "\(path).runAsUser")
        errs += SecurityContext.validateID(runAsGroup, path: "\(path).runAsGroup")
        // The API server also rejects `Unmasked` unless `hostUsers: false`; swiftlet has no user
        // namespaces, so it accepts `Unmasked` as a kubelet with that feature off would run it.
        if let procMount, !ProcMountType.all.contains(procMount) {
            errs.append(.notSupported("\(path).procMount", .string(procMount), supported: ProcMountType.all))
        }
        if let seccompProfile {
            errs += seccompProfile.validate(path: "\(path).seccompProfile")
        }
        if allowPrivilegeEscalation == false {
            if privileged == true {
                errs.append(.invalid(
                    path, .string("privileged: true, allowPrivilegeEscalation: false"),
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
            }
            // Go compares the raw string, so only the exact spelling `CAP_SYS_ADMIN` is caught.
            for cap in capabilities?.add ?? [] where cap == "CAP_SYS_ADMIN" {
                errs.append(.invalid(
                    path, .string("capabilities.add: CAP_SYS_ADMIN, allowPrivilegeEscalation: false"),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
            }
        }
        return errs
    }
}

extension SeccompProfile {
    /// `validateSeccompProfileField`.
    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if type.isEmpty {
            errs.append(.required("\(path).type", "type is required when seccompProfile is set"))
        } else if !SeccompProfile.supportedTypes.contains(type) {
            errs.append(.notSupported("\(path).type", .string(type), supported: SeccompProfile.supportedTypes))
        }
        let lpath = "\(path).localhostProfile"
        if type == SeccompProfile.localhost {
            if let profile = localhostProfile {
                errs += SeccompProfile.validateLocalDescendingPath(profile, path: lpath)
            } else {
                errs.append(.required(lpath, "must be set when seccomp type is Localhost"))
            }
        } else if let profile = localhostProfile {
            errs.append(.invalid(lpath, .string(profile), "can only be set when seccomp type is Localhost"))
        }
        return errs
    }

    /// `validateLocalDescendingPath`: the profile must stay under the node's seccomp root.
    static func validateLocalDescendingPath(_ target: String, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if target.hasPrefix("/") {
            errs.append(.invalid(path, .string(target), "must be a relative path"))
        }
        // One error even for `../../..`, as the API server reports it.
        if target.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            errs.append(.invalid(path, .string(target), "must not contain '..'"))
        }
        return errs
    }
}
