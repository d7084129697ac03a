import CCap
import CSwiftletShim
import Glibc
import SwiftletLaunch
import SwiftletSystem

/// Confinement, after pivot_root, in runc's order: masks and read-only paths while we still hold
/// every capability; the bounding set; the user (keeping capabilities across setuid); the
/// capability sets; no_new_privs; seccomp last, since it may forbid the calls before it.
extension ContainerSetup {
    /// Reads the seccomp program while its file (in the pod's run directory) is still reachable.
    func loadSeccompFilter() throws -> [UInt8]? {
        guard let path = spec.security?.seccompFilter else { return nil }
        guard let bytes = try FileIO.read(path), !bytes.isEmpty, bytes.count % 8 == 0 else {
            throw ContainerSetupError(stage: "load seccomp filter", detail: "\(path): missing or not a BPF program")
        }
        return bytes
    }

    func maskPaths(_ security: LaunchSpec.Security) throws {
        for path in security.maskedPaths {
            var st = stat()
            guard stat(path, &st) == 0 else { continue }  // absent on this kernel: nothing to hide
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try mount("tmpfs", path, "tmpfs", SWL_MS_RDONLY, data: "size=0", stage: "mask \(path)")
            } else {
                try mount("/dev/null", path, nil, SWL_MS_BIND, stage: "mask \(path)")
            }
        }
        for path in security.readonlyPaths {
            guard FileIO.exists(path) else { continue }
            try mount(path, path, nil, SWL_MS_BIND | SWL_MS_REC, stage: "bind \(path) read-only")
            try mount(
                nil, path, nil, SWL_MS_BIND | SWL_MS_REMOUNT | SWL_MS_RDONLY | SWL_MS_NOSUID | SWL_MS_NODEV | SWL_MS_NOEXEC,
                stage: "remount \(path) read-only")
        }
        if security.readOnlyRootfs {
            try mount(nil, "/", nil, SWL_MS_BIND | SWL_MS_REMOUNT | SWL_MS_RDONLY, stage: "remount / read-only")
        }
    }

    /// Lowering needs no privilege; raising above the hard limit the agent has would fail, so the
    /// limit is clamped to what this process may set.
    func setOpenFilesLimit(_ security: LaunchSpec.Security) throws {
        guard let wanted = security.openFilesLimit else { return }
        var current = rlimit()
        getrlimit(RLIMIT_NOFILE_VALUE, &current)
        var limit = rlimit(rlim_cur: min(rlim_t(wanted.soft), current.rlim_max), rlim_max: min(rlim_t(wanted.hard), current.rlim_max))
        guard setrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else {
            throw ContainerSetupError(stage: "set RLIMIT_NOFILE", detail: "\(SystemError("setrlimit"))")
        }
    }

    func applyIdentityAndCapabilities(_ security: LaunchSpec.Security, seccomp: [UInt8]?) throws {
        try setOpenFilesLimit(security)
        // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it while we still have it.
        if !security.noNewPrivileges, let seccomp { try installSeccomp(seccomp) }
        let available = Self.permittedNow()
        for cap in 0...63 where security.bounding & (1 << UInt64(cap)) == 0 {
            if cap_drop_bound(cap_value_t(cap)) != 0 && swl_errno_value() != EINVAL {
                throw ContainerSetupError(stage: "drop capability \(cap) from the bounding set", detail: "\(SystemError("prctl"))")
            }
        }
        guard swl_set_keepcaps(1) == 0 else { throw ContainerSetupError(stage: "keep capabilities", detail: "\(SystemError("prctl"))") }
        var groups = security.groups.map { gid_t($0) }
        guard swl_setgroups(groups.count, &groups) == 0 else {
            throw ContainerSetupError(stage: "set supplementary groups", detail: "\(SystemError("setgroups"))")
        }
        guard swl_setresgid(gid_t(security.gid)) == 0 else {
            throw ContainerSetupError(stage: "set group \(security.gid)", detail: "\(SystemError("setresgid"))")
        }
        guard swl_setresuid(uid_t(security.uid)) == 0 else {
            throw ContainerSetupError(stage: "set user \(security.uid)", detail: "\(SystemError("setresuid"))")
        }
        try setCapabilities(security, available: available)
        if security.noNewPrivileges {
            guard swl_set_no_new_privs() == 0 else { throw ContainerSetupError(stage: "no_new_privs", detail: "\(SystemError("prctl"))") }
            if let seccomp { try installSeccomp(seccomp) }
        }
    }

    /// The capabilities this process may still hold (CapPrm); a host that withholds some from root
    /// (these test machines lack CAP_SYS_RESOURCE) cannot grant them to a container either.
    static func permittedNow() -> UInt64 {
        guard let status = try? FileIO.readString("/proc/self/status") else { return UInt64.max }
        for line in status.split(separator: "\n") where line.hasPrefix("CapPrm:") {
            return UInt64(line.dropFirst(7).trimmingPrefix { $0 == " " || $0 == "\t" }, radix: 16) ?? UInt64.max
        }
        return UInt64.max
    }

    func setCapabilities(_ security: LaunchSpec.Security, available: UInt64) throws {
        guard let caps = cap_init() else { throw ContainerSetupError(stage: "capabilities", detail: "cap_init failed") }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        for (flag, requested) in [(CAP_EFFECTIVE, security.effective), (CAP_PERMITTED, security.permitted), (CAP_INHERITABLE, security.inheritable)] {
            let mask = requested & available
            var values = (0...63).filter { mask & (1 << UInt64($0)) != 0 }.map { cap_value_t($0) }
            if !values.isEmpty && cap_set_flag(caps, flag, Int32(values.count), &values, CAP_SET) != 0 {
                throw ContainerSetupError(stage: "capabilities", detail: "\(SystemError("cap_set_flag"))")
            }
        }
        guard cap_set_proc(caps) == 0 else { throw ContainerSetupError(stage: "set capabilities", detail: "\(SystemError("capset"))") }
        _ = cap_reset_ambient()
        for cap in 0...63 where security.ambient & available & (1 << UInt64(cap)) != 0 {
            guard cap_set_ambient(cap_value_t(cap), CAP_SET) == 0 else {
                throw ContainerSetupError(stage: "ambient capability \(cap)", detail: "\(SystemError("prctl"))")
            }
        }
    }

    func installSeccomp(_ program: [UInt8]) throws {
        let rc = program.withUnsafeBytes { swl_install_seccomp($0.baseAddress, $0.count) }
        guard rc == 0 else { throw ContainerSetupError(stage: "install seccomp filter", detail: "\(SystemError("prctl"))") }
    }
}

/// Glibc imports RLIMIT_NOFILE as an enum case of `__rlimit_resource`; the call takes its raw value.
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
