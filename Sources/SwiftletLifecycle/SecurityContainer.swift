import SwiftletKube

/// Which seccomp filter a container process installs before exec.
public enum SeccompChoice: Hashable, Sendable {
    case runtimeDefault
    case unconfined
    /// A profile file relative to the node's seccomp profile root.
    case localhost(String)
}

/// Everything about privilege that swiftlet-init applies to one container process, resolved
/// from the pod and container security contexts the way the kubelet and containerd do.
public struct ContainerSecurity: Hashable, Sendable {
    public var privileged: Bool
    /// Capability sets as `CAP_` names in kernel order.
    public var bounding: [String]
    public var effective: [String]
    public var permitted: [String]
    public var inheritable: [String]
    public var ambient: [String]
    public var uid: Int64
    public var gid: Int64
    public var supplementalGroups: [Int64]
    public var noNewPrivileges: Bool
    public var readOnlyRootFilesystem: Bool
    /// Paths hidden from the container (`/dev/null` over files, an empty read-only tmpfs over directories).
    public var maskedPaths: [String]
    /// Paths bind-mounted read-only over themselves.
    public var readonlyPaths: [String]
    public var seccomp: SeccompChoice

    public init(
        privileged: Bool, bounding: [String], effective: [String], permitted: [String],
        inheritable: [String], ambient: [String], uid: Int64, gid: Int64, supplementalGroups: [Int64],
        noNewPrivileges: Bool, readOnlyRootFilesystem: Bool, maskedPaths: [String], readonlyPaths: [String],
        seccomp: SeccompChoice
    ) {
        self.privileged = privileged
        self.bounding = bounding
        self.effective = effective
        self.permitted = permitted
        self.inheritable = inheritable
        self.ambient = ambient
        self.uid = uid
        self.gid = gid
        self.supplementalGroups = supplementalGroups
        self.noNewPrivileges = noNewPrivileges
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
        self.seccomp = seccomp
    }

    /// `k8s:pkg/securitycontext/util.go` `defaultMaskedPaths`, kept in sync with moby.
    public static let defaultMaskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// `k8s:pkg/securitycontext/util.go` `defaultReadonlyPaths`.
    public static let defaultReadonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]
}

/// A security context that cannot be run; the container waits with this reason, as the
/// kubelet reports it.
public struct SecurityContextError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public var message: String

    public init(_ message: String) {
        self.reason = "CreateContainerConfigError"
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
