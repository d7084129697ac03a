import SwiftletKube

/// Resolves a container's effective privileges from its pod: the kubelet's
/// `determineEffectiveSecurityContext` and `verifyRunAsNonRoot`, then containerd's CRI
/// `WithCapabilities`, `WithPrivileged` and user handling.
public enum SecurityPolicy {
    /// - Parameters:
    ///   - imageUser: the image config's `USER` (`""`, `"1000"`, `"1000:1000"`, `"name"`).
    ///   - imageUID, imageGID: the image user resolved against the image's /etc/passwd by the
    ///     caller; when nil, a numeric `imageUser` is used and an empty one means root.
    ///   - defaultSeccomp: used when neither container nor pod names a profile. swiftlet passes
    ///     `.runtimeDefault`, stricter than the kubelet, whose `seccompDefault` is off by default.
    public static func resolve(
        pod: Pod, container: Container, imageUser: String = "", imageUID: Int64? = nil, imageGID: Int64? = nil,
        defaultSeccomp: SeccompChoice = .runtimeDefault
    ) throws(SecurityContextError) -> ContainerSecurity {
        let podSC = pod.spec.securityContext
        let sc = container.securityContext
        let image = ImageUser(imageUser, uid: imageUID, gid: imageGID)
        let runAsUser = sc?.runAsUser ?? podSC?.runAsUser
        let runAsGroup = sc?.runAsGroup ?? podSC?.runAsGroup

        if sc?.runAsNonRoot ?? podSC?.runAsNonRoot ?? false {
            try verifyRunAsNonRoot(pod: pod, container: container, runAsUser: runAsUser, image: image)
        }
        guard let uid = runAsUser ?? image.uid else {
            throw SecurityContextError(
                "image user \(image.name) is not numeric and was not resolved to a uid (pod: \"\(podRef(pod))\", container: \(container.name))")
        }
        // An explicit runAsUser replaces the image user, so the image's group no longer applies;
        // containerd would look the uid up in the image's passwd, which needs the rootfs.
        let gid = runAsGroup ?? (runAsUser == nil ? image.gid : nil) ?? 0

        let privileged = sc?.privileged ?? false
        var caps = privileged ? Set(LinuxCapability.all.map(\.number)) : capabilitySet(sc?.capabilities)
        let bounding = LinuxCapability.names(caps)
        // A non-root process keeps no capabilities across execve without file capabilities or
        // ambient ones, which CRI never grants; only the bounding set limits what setuid binaries regain.
        if uid != 0 { caps = [] }
        let procUnmasked = sc?.procMount == ProcMountType.unmasked
        return ContainerSecurity(
            privileged: privileged,
            bounding: bounding,
            effective: LinuxCapability.names(caps),
            permitted: LinuxCapability.names(caps),
            // containerd stopped filling the inheritable set (CVE-2022-24769).
            inheritable: [],
            ambient: [],
            uid: uid,
            gid: gid,
            supplementalGroups: supplementalGroups(podSC),
            noNewPrivileges: sc?.allowPrivilegeEscalation == false,
            readOnlyRootFilesystem: sc?.readOnlyRootFilesystem ?? false,
            maskedPaths: privileged || procUnmasked ? [] : ContainerSecurity.defaultMaskedPaths,
            readonlyPaths: privileged || procUnmasked ? [] : ContainerSecurity.defaultReadonlyPaths,
            seccomp: privileged
                ? .unconfined
                : try seccomp(sc?.seccompProfile ?? podSC?.seccompProfile, default: defaultSeccomp))
    }

    /// containerd's `WithCapabilities`: `ALL` in add, then `ALL` in drop, act on the whole set
    /// first so single names can still be added or dropped after them; drops win over adds.
    /// Unknown names are skipped, as runc skips capabilities it does not know.
    static func capabilitySet(_ capabilities: Capabilities?) -> Set<Int> {
        var set = Set(LinuxCapability.containerdDefault.compactMap(LinuxCapability.number))
        let add = capabilities?.add ?? []
        let drop = capabilities?.drop ?? []
        let isAll = { (name: String) in name.uppercased() == "ALL" }
        if add.contains(where: isAll) { set = Set(LinuxCapability.all.map(\.number)) }
        if drop.contains(where: isAll) { set = [] }
        set.formUnion(add.filter { !isAll($0) }.compactMap(LinuxCapability.number))
        set.subtract(drop.filter { !isAll($0) }.compactMap(LinuxCapability.number))
        return set
    }

    /// The kubelet adds fsGroup before the pod's supplemental groups.
    static func supplementalGroups(_ podSC: PodSecurityContext?) -> [Int64] {
        var seen = Set<Int64>()
        let all = (podSC?.fsGroup.map { [$0] } ?? []) + (podSC?.supplementalGroups ?? [])
        return all.filter { seen.insert($0).inserted }
    }

    static func seccomp(
        _ profile: SeccompProfile?, default fallback: SeccompChoice
    ) throws(SecurityContextError) -> SeccompChoice {
        guard let profile else { return fallback }
        switch profile.type {
        case SeccompProfile.runtimeDefault: return .runtimeDefault
        case SeccompProfile.unconfined: return .unconfined
        case SeccompProfile.localhost:
            guard let path = profile.localhostProfile, !path.isEmpty else {
                throw SecurityContextError("localhostProfile must be set if seccompProfile type is Localhost.")
            }
            return .localhost(path)
        default:
            throw SecurityContextError("unsupported seccomp profile type \"\(profile.type)\"")
        }
    }

    /// `verifyRunAsNonRoot` (`k8s:pkg/kubelet/kuberuntime/security_context_others.go`), same messages.
    static func verifyRunAsNonRoot(
        pod: Pod, container: Container, runAsUser: Int64?, image: ImageUser
    ) throws(SecurityContextError) {
        let ref = "(pod: \"\(podRef(pod))\", container: \(container.name))"
        if let runAsUser {
            if runAsUser == 0 { throw SecurityContextError("container's runAsUser breaks non-root policy \(ref)") }
            return
        }
        if image.uid == 0 {
            throw SecurityContextError("container has runAsNonRoot and image will run as root \(ref)")
        }
        if image.uid == nil {
            throw SecurityContextError(
                "container has runAsNonRoot and image has non-numeric user (\(image.name)), cannot verify user is non-root \(ref)")
        }
    }

    /// The kubelet's `format.Pod`: `name_namespace(uid)`.
    static func podRef(_ pod: Pod) -> String { "\(pod.name)_\(pod.namespace)(\(pod.uid))" }
}

/// The image config's `USER` as far as it can be known without reading the image's /etc/passwd.
struct ImageUser {
    var name: String
    var uid: Int64?
    var gid: Int64?

    init(_ user: String, uid resolvedUID: Int64?, gid resolvedGID: Int64?) {
        // `user:group`; the kubelet only checks the user part.
        let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let userPart = parts.first.map(String.init) ?? ""
        name = userPart
        // An image without USER runs as root.
        uid = resolvedUID ?? (userPart.isEmpty ? 0 : Int64(userPart))
        gid = resolvedGID ?? (parts.count > 1 ? Int64(parts[1]) : nil)
    }
}
