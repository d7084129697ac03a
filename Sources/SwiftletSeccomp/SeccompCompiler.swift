import CSeccomp
import Foundation

/// Compiles `profile` to the classic BPF program the kernel takes through
/// `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &sock_fprog)`: a sequence of 8-byte
/// `sock_filter` entries. The agent does this so swiftlet-init needs no libseccomp (crun's
/// split). `capabilities` is the container's bounding set ("CAP_SYS_ADMIN", ...), which decides
/// the profile's `includes.caps` / `excludes.caps` rules.
///
/// Syscall names this libseccomp does not know are skipped, as runc does, so one profile serves
/// older and newer kernels.
public func compileSeccompFilter(_ profile: SeccompProfile, capabilities: Set<String>) throws -> [UInt8] {
    let plan = try SeccompFilterPlan(profile, capabilities: capabilities, host: try SeccompFilterPlan.Host.current())
    return try compile(plan)
}

extension SeccompFilterPlan.Host {
    static func current() throws(SeccompError) -> Self {
        let token = seccomp_arch_native()
        guard let native = SeccompArchitecture.known
            .first(where: { seccomp_arch_resolve_name($0) == token })
            .flatMap(SeccompArchitecture.init)
        else {
            throw .libseccomp(call: "seccomp_arch_native", subject: "0x\(String(token, radix: 16))", errno: ENOTSUP)
        }
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // An unparsable release (never seen in practice) counts as new: minKernel rules then apply.
        return Self(native: native, kernel: SeccompFilterPlan.kernelVersion(release) ?? [Int.max])
    }
}

func compile(_ plan: SeccompFilterPlan) throws(SeccompError) -> [UInt8] {
    guard let filter = seccomp_init(plan.defaultAction.libseccompValue) else {
        throw .libseccomp(call: "seccomp_init", subject: "defaultAction", errno: EINVAL)
    }
    defer { seccomp_release(filter) }

    for arch in plan.extraArchitectures {
        let rc = seccomp_arch_add(filter, seccomp_arch_resolve_name(arch.name))
        guard rc == 0 || rc == -EEXIST else { throw .libseccomp(call: "seccomp_arch_add", subject: arch.name, errno: -rc) }
    }

    for rule in plan.rules {
        let conditions = rule.conditions.map {
            scmp_arg_cmp(arg: $0.index, op: $0.op.libseccompValue, datum_a: $0.value, datum_b: $0.valueTwo)
        }
        for name in rule.names {
            let number = seccomp_syscall_resolve_name(name)
            if number == __NR_SCMP_ERROR { continue }
            let rc = conditions.withUnsafeBufferPointer { buffer in
                seccomp_rule_add_array(
                    filter, rule.action.libseccompValue, number, UInt32(buffer.count), buffer.baseAddress)
            }
            guard rc == 0 else { throw .libseccomp(call: "seccomp_rule_add", subject: name, errno: -rc) }
        }
    }
    return try exportBPF(filter)
}

/// libseccomp 2.5 exports only to a file descriptor. An unlinked temporary file, not a pipe:
/// a large filter would fill a pipe's buffer and block the writer, which is also the reader.
private func exportBPF(_ filter: scmp_filter_ctx) throws(SeccompError) -> [UInt8] {
    guard let file = tmpfile() else { throw .libseccomp(call: "tmpfile", subject: "seccomp_export_bpf", errno: errno) }
    defer { fclose(file) }
    let fd = fileno(file)
    let rc = seccomp_export_bpf(filter, fd)
    guard rc == 0 else { throw .libseccomp(call: "seccomp_export_bpf", subject: "filter", errno: -rc) }
    let size = lseek(fd, 0, SEEK_END)
    guard size >= 0, lseek(fd, 0, SEEK_SET) == 0 else {
        throw .libseccomp(call: "lseek", subject: "seccomp_export_bpf", errno: errno)
    }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { raw in
            read(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw .libseccomp(call: "read", subject: "seccomp_export_bpf", errno: n < 0 ? errno : EIO) }
        offset += n
    }
    return bytes
}
