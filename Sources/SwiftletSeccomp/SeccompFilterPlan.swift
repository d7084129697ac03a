/// A profile resolved for one container on one host: every string checked, `includes` /
/// `excludes` decided, architectures narrowed to those this kernel runs. Pure, so the
/// selection logic is tested without libseccomp; `compileSeccompFilter` only replays it.
struct SeccompFilterPlan: Hashable, Sendable {
    struct Host: Hashable, Sendable {
        var native: SeccompArchitecture
        /// The running kernel's release as numbers (6.1.0-13-amd64 -> [6, 1, 0]).
        var kernel: [Int]
    }

    struct Condition: Hashable, Sendable {
        var index: UInt32
        var op: SeccompOperator
        var value: UInt64
        var valueTwo: UInt64
    }

    /// One libseccomp rule: all conditions must hold.
    struct Rule: Hashable, Sendable {
        var names: [String]
        var action: SeccompAction
        var conditions: [Condition]
    }

    var defaultAction: SeccompAction
    /// Besides the native one.
    var extraArchitectures: [SeccompArchitecture]
    var rules: [Rule]

    /// Checks every action, operator and architecture in the profile, whether or not its rule
    /// applies here, so a profile that only fails on another host is still caught.
    init(_ profile: SeccompProfile, capabilities: Set<String>, host: Host) throws(SeccompError) {
        defaultAction = try SeccompAction(
            profile.defaultAction, errnoRet: profile.defaultErrnoRet, field: "defaultAction")

        var arches: [SeccompArchitecture] = []
        for (i, name) in (profile.architectures ?? []).enumerated() {
            arches.append(try Self.architecture(name, field: "architectures[\(i)]"))
        }
        for (i, entry) in (profile.archMap ?? []).enumerated() {
            let main = try Self.architecture(entry.architecture, field: "archMap[\(i)].architecture")
            var subs: [SeccompArchitecture] = []
            for (j, name) in (entry.subArchitectures ?? []).enumerated() {
                subs.append(try Self.architecture(name, field: "archMap[\(i)].subArchitectures[\(j)]"))
            }
            // Docker's reading of archMap: only the entry for this host's architecture counts.
            if main == host.native { arches += subs }
        }
        var seen: Set<SeccompArchitecture> = [host.native]
        extraArchitectures = arches.filter { host.native.canRun($0) && seen.insert($0).inserted }

        for (i, flag) in (profile.flags ?? []).enumerated() where !Self.knownFlags.contains(flag) {
            throw .invalidValue(field: "flags[\(i)]", reason: "unknown flag \"\(flag)\"")
        }

        rules = []
        for (i, syscall) in (profile.syscalls ?? []).enumerated() {
            let field = "syscalls[\(i)]"
            let action = try SeccompAction(syscall.action, errnoRet: syscall.errnoRet, field: "\(field).action")
            var conditions: [Condition] = []
            for (j, arg) in (syscall.args ?? []).enumerated() {
                conditions.append(try Self.condition(arg, field: "\(field).args[\(j)]"))
            }
            let included = try Self.matchesAll(syscall.includes, capabilities, host, field: "\(field).includes")
            let excluded = try Self.matchesAny(syscall.excludes, capabilities, host, field: "\(field).excludes")
            guard included, !excluded, !syscall.names.isEmpty else { continue }
            // libseccomp refuses a rule that repeats the default action, and it would change nothing.
            guard action != defaultAction else { continue }
            rules += Self.split(Rule(names: syscall.names, action: action, conditions: conditions))
        }
    }

    static let knownFlags: Set<String> = [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ]

    /// Several comparisons of the same argument are alternatives in OCI profiles (runc adds one
    /// rule per comparison); comparisons of different arguments must all hold.
    private static func split(_ rule: Rule) -> [Rule] {
        let indexes = rule.conditions.map(\.index)
        guard Set(indexes).count < indexes.count else { return [rule] }
        return rule.conditions.map { Rule(names: rule.names, action: rule.action, conditions: [$0]) }
    }

    private static func architecture(_ name: String, field: String) throws(SeccompError) -> SeccompArchitecture {
        guard let arch = SeccompArchitecture(name) else { throw .unknownArchitecture(field: field, value: name) }
        return arch
    }

    private static func condition(_ arg: SeccompProfile.Arg, field: String) throws(SeccompError) -> Condition {
        guard let op = SeccompOperator(rawValue: arg.op) else {
            throw .unknownOperator(field: "\(field).op", value: arg.op)
        }
        // Syscalls take at most six arguments.
        guard arg.index < 6 else {
            throw .invalidValue(field: "\(field).index", reason: "argument index \(arg.index) is not 0...5")
        }
        return Condition(index: arg.index, op: op, value: arg.value, valueTwo: arg.valueTwo ?? 0)
    }

    private static func matchesAll(
        _ filter: SeccompProfile.Filter?, _ caps: Set<String>, _ host: Host, field: String
    ) throws(SeccompError) -> Bool {
        guard let filter else { return true }
        let arches = try architectures(filter.arches, field: "\(field).arches")
        let minKernel = try version(filter.minKernel, field: "\(field).minKernel")
        if let required = filter.caps, !required.allSatisfy(caps.contains) { return false }
        if let arches, !arches.contains(host.native) { return false }
        if let minKernel, host.kernel.lexicographicallyPrecedes(minKernel) { return false }
        return true
    }

    private static func matchesAny(
        _ filter: SeccompProfile.Filter?, _ caps: Set<String>, _ host: Host, field: String
    ) throws(SeccompError) -> Bool {
        guard let filter else { return false }
        let arches = try architectures(filter.arches, field: "\(field).arches")
        let minKernel = try version(filter.minKernel, field: "\(field).minKernel")
        if let excluded = filter.caps, excluded.contains(where: caps.contains) { return true }
        if let arches, arches.contains(host.native) { return true }
        if let minKernel, !host.kernel.lexicographicallyPrecedes(minKernel) { return true }
        return false
    }

    private static func architectures(_ names: [String]?, field: String) throws(SeccompError) -> [SeccompArchitecture]? {
        guard let names else { return nil }
        var result: [SeccompArchitecture] = []
        for (i, name) in names.enumerated() { result.append(try architecture(name, field: "\(field)[\(i)]")) }
        return result
    }

    private static func version(_ text: String?, field: String) throws(SeccompError) -> [Int]? {
        guard let text else { return nil }
        guard let parts = kernelVersion(text), parts.count >= 2 else {
            throw .invalidValue(field: field, reason: "kernel version \"\(text)\" is not major.minor")
        }
        return parts
    }

    /// Leading dot-separated numbers of a kernel release; the rest (`-13-amd64`) is ignored.
    static func kernelVersion(_ release: String) -> [Int]? {
        let numeric = release.prefix { $0.isNumber || $0 == "." }
        let parts = numeric.split(separator: ".", omittingEmptySubsequences: false).prefix(3)
        let numbers = parts.compactMap { Int($0) }
        guard !numbers.isEmpty, numbers.count == parts.count else { return nil }
        return numbers
    }
}
