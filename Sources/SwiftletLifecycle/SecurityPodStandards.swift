import SwiftletKube

/// The Pod Security Standards levels (`k8s.io/pod-security-admission`).
public enum PodSecurityLevel: String, Hashable, Sendable, CaseIterable {
    case privileged, baseline, restricted
}

/// Pod Security Admission's checks for `level`, as `reason (detail)` strings in PSA's wording and
/// in its check-ID order, so they read like `violates PodSecurity "restricted:latest": …`.
/// Empty means allowed. AppArmor, SELinux and Windows checks are not modelled.
public func podSecurityViolations(_ pod: Pod, level: PodSecurityLevel) -> [String] {
    let checks = PodSecurityChecks(spec: pod.spec)
    var results: [String?]
    switch level {
    case .privileged:
        return []
    case .baseline:
        results = [
            checks.baselineCapabilities(), checks.hostNamespaces(), checks.hostPathVolumes(), checks.hostPorts(), checks.privileged(),
            checks.procMount(), checks.baselineSeccomp(), checks.sysctls(),
        ]
    case .restricted:
        // Restricted checks replace the baseline capabilities and seccomp checks (PSA `OverrideCheckIDs`).
        results = [
            checks.allowPrivilegeEscalation(), checks.restrictedCapabilities(), checks.hostNamespaces(),
            checks.hostPorts(), checks.privileged(), checks.procMount(), checks.restrictedVolumes(), checks.runAsNonRoot(),
            checks.runAsUser(),
            checks.restrictedSeccomp(), checks.sysctls(),
        ]
    }
    return results.compactMap { $0 }
}

/// One method per PSA check; each returns `reason (detail)` or nil when allowed.
struct PodSecurityChecks {
    var spec: PodSpec

    /// PSA's `visitContainers` order: init containers, then app containers.
    var containers: [Container] { (spec.initContainers ?? []) + spec.containers }

    static let baselineCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ]
    static let safeSysctls: Set<String> = [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ]

    func privileged() -> String? {
        let bad = containers.filter { $0.securityContext?.privileged == true }.map(\.name)
        guard !bad.isEmpty else { return nil }
        return "privileged (\(Self.containerList(bad)) must not set securityContext.privileged=true)"
    }

    func hostNamespaces() -> String? {
        var set: [String] = []
        if spec.hostNetwork == true { set.append("hostNetwork=true") }
        if spec.hostPID == true { set.append("hostPID=true") }
        if spec.hostIPC == true { set.append("hostIPC=true") }
        guard !set.isEmpty else { return nil }
        return "host namespaces (\(set.joined(separator: ", ")))"
    }

    func hostPorts() -> String? {
        var bad: [String] = []
        var ports = Set<String>()
        for c in containers {
            let used = (c.ports ?? []).compactMap(\.hostPort).filter { $0 != 0 }
            if used.isEmpty { continue }
            bad.append(c.name)
            ports.formUnion(used.map(String.init))
        }
        guard !bad.isEmpty else { return nil }
        // Go's sets.String sorts the ports as strings.
        return "hostPort (\(Self.containerList(bad)) \(bad.count == 1 ? "uses" : "use") "
            + "\(ports.count == 1 ? "hostPort" : "hostPorts") \(ports.sorted().joined(separator: ", ")))"
    }

    func baselineCapabilities() -> String? {
        var bad: [String] = []
        var caps = Set<String>()
        for c in containers {
            let forbidden = (c.securityContext?.capabilities?.add ?? []).filter {
                !Self.baselineCapabilities.contains($0)
            }
            if forbidden.isEmpty { continue }
            bad.append(c.name)
            caps.formUnion(forbidden)
        }
        guard !bad.isEmpty else { return nil }
        return "non-default capabilities (\(Self.containerList(bad)) must not include "
            + "\(Self.quoted(caps.sorted())) in securityContext.capabilities.add)"
    }

    func restrictedCapabilities() -> String? {
        var missingDropAll: [String] = []
        var adding: [String] = []
        var caps = Set<String>()
        for c in containers {
            let capabilities = c.securityContext?.capabilities
            if !(capabilities?.drop ?? []).contains("ALL") { missingDropAll.append(c.name) }
            let forbidden = (capabilities?.add ?? []).filter { $0 != "NET_BIND_SERVICE" }
            if !forbidden.isEmpty {
                adding.append(c.name)
                caps.formUnion(forbidden)
            }
        }
        var details: [String] = []
        if !missingDropAll.isEmpty {
            details.append("\(Self.containerList(missingDropAll)) must set securityContext.capabilities.drop=[\"ALL\"]")
        }
        if !adding.isEmpty {
            details.append(
                "\(Self.containerList(adding)) must not include \(Self.quoted(caps.sorted())) in securityContext.capabilities.add")
        }
        guard !details.isEmpty else { return nil }
        return "unrestricted capabilities (\(details.joined(separator: "; ")))"
    }

    func procMount() -> String? {
        var bad: [String] = []
        var types = Set<String>()
        for c in containers {
            guard let type = c.securityContext?.procMount, type != ProcMountType.default else { continue }
            bad.append(c.name)
            types.insert(type)
        }
        guard !bad.isEmpty else { return nil }
        return "procMount (\(Self.containerList(bad)) must not set securityContext.procMount to \(Self.quoted(types.sorted())))"
    }

    func baselineSeccomp() -> String? {
        var setters: [String] = []
        var values = Set<String>()
        if let type = spec.securityContext?.seccompProfile?.type, type == SeccompProfile.unconfined {
            setters.append("pod")
            values.insert(type)
        }
        var bad: [String] = []
        for c in containers {
            guard let type = c.securityContext?.seccompProfile?.type, type == SeccompProfile.unconfined else { continue }
            bad.append(c.name)
            values.insert(type)
        }
        if !bad.isEmpty { setters.append(Self.containerList(bad)) }
        guard !setters.isEmpty else { return nil }
        return "seccompProfile (\(setters.joined(separator: " and ")) must not set securityContext.seccompProfile.type to "
            + "\(Self.quoted(values.sorted())))"
    }

    func restrictedSeccomp() -> String? {
        let valid: Set<String> = [SeccompProfile.runtimeDefault, SeccompProfile.localhost]
        var setters: [String] = []
        var values = Set<String>()
        var podSet = false
        if let type = spec.securityContext?.seccompProfile?.type {
            if valid.contains(type) {
                podSet = true
            } else {
                setters.append("pod")
                values.insert(type)
            }
        }
        var explicit: [String] = []
        var implicit: [String] = []
        for c in containers {
            if let type = c.securityContext?.seccompProfile?.type {
                if !valid.contains(type) {
                    explicit.append(c.name)
                    values.insert(type)
                }
            } else if !podSet {
                implicit.append(c.name)
            }
        }
        if !explicit.isEmpty { setters.append(Self.containerList(explicit)) }
        var details: [String] = []
        if !setters.isEmpty {
            details.append("\(setters.joined(separator: " and ")) must not set securityContext.seccompProfile.type to "
                + Self.quoted(values.sorted()))
        }
        if !implicit.isEmpty {
            details.append("pod or \(Self.containerList(implicit)) must set securityContext.seccompProfile.type to "
                + "\"RuntimeDefault\" or \"Localhost\"")
        }
        guard !details.isEmpty else { return nil }
        return "seccompProfile (\(details.joined(separator: "; ")))"
    }

    func allowPrivilegeEscalation() -> String? {
        let bad = containers.filter { $0.securityContext?.allowPrivilegeEscalation != false }.map(\.name)
        guard !bad.isEmpty else { return nil }
        return "allowPrivilegeEscalation != false (\(Self.containerList(bad)) must set securityContext.allowPrivilegeEscalation=false)"
    }

    func runAsNonRoot() -> String? {
        var setters: [String] = []
        var podNonRoot = false
        if let value = spec.securityContext?.runAsNonRoot {
            if value { podNonRoot = true } else { setters.append("pod") }
        }
        var explicit: [String] = []
        var implicit: [String] = []
        for c in containers {
            if let value = c.securityContext?.runAsNonRoot {
                if !value { explicit.append(c.name) }
            } else if !podNonRoot {
                implicit.append(c.name)
            }
        }
        if !explicit.isEmpty { setters.append(Self.containerList(explicit)) }
        if !setters.isEmpty {
            return "runAsNonRoot != true (\(setters.joined(separator: " and ")) must not set securityContext.runAsNonRoot=false)"
        }
        if !implicit.isEmpty {
            return "runAsNonRoot != true (pod or \(Self.containerList(implicit)) must set securityContext.runAsNonRoot=true)"
        }
        return nil
    }

    func runAsUser() -> String? {
        var setters: [String] = []
        if spec.securityContext?.runAsUser == 0 { setters.append("pod") }
        let bad = containers.filter { $0.securityContext?.runAsUser == 0 }.map(\.name)
        if !bad.isEmpty { setters.append(Self.containerList(bad)) }
        guard !setters.isEmpty else { return nil }
        return "runAsUser=0 (\(setters.joined(separator: " and ")) must not set runAsUser=0)"
    }

    func sysctls() -> String? {
        let bad = (spec.securityContext?.sysctls ?? []).map(\.name).filter { !Self.safeSysctls.contains($0) }
        guard !bad.isEmpty else { return nil }
        return "forbidden sysctls (\(bad.joined(separator: ", ")))"
    }

    /// PSA's `pluralize("container", "containers", n) + " " + joinQuote(names)`.
    static func containerList(_ names: [String]) -> String {
        "\(names.count == 1 ? "container" : "containers") \(quoted(names))"
    }

    /// PSA's `joinQuote`: each Go-quoted, comma-separated.
    static func quoted(_ items: [String]) -> String {
        items.map { item in
            "\"" + item.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\""
        }.joined(separator: ", ")
    }
}

extension String {
    /// Foundation-free replace, enough for quoting.
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
