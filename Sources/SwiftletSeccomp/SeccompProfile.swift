/// A seccomp profile in the OCI runtime-spec `linux.seccomp` form, extended with the Docker /
/// containerd profile fields (`archMap`, per-rule `includes` / `excludes`), so that both a
/// Localhost profile written for Docker and the built-in RuntimeDefault decode into one type.
///
/// Actions, operators and architectures stay strings here: they are checked by `validate()` and
/// `compileSeccompFilter`, which name the offending field (`syscalls[3].action`) in their errors.
public struct SeccompProfile: Codable, Hashable, Sendable {
    /// `SCMP_ACT_*` taken by every syscall no rule matches.
    public var defaultAction: String
    /// errno for a default action of `SCMP_ACT_ERRNO` / `SCMP_ACT_TRACE`; EPERM when absent.
    public var defaultErrnoRet: UInt32?
    /// Extra architectures (`SCMP_ARCH_X86`, ...) the filter also accepts (OCI form).
    public var architectures: [String]?
    /// Docker form: per native architecture, the sub-architectures to accept too.
    public var archMap: [ArchMapEntry]?
    public var syscalls: [Syscall]?
    /// `SECCOMP_FILTER_FLAG_*`; kept for fidelity, they only matter to a loader using seccomp(2).
    public var flags: [String]?

    public init(
        defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String]? = nil,
        archMap: [ArchMapEntry]? = nil, syscalls: [Syscall]? = nil, flags: [String]? = nil
    ) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.archMap = archMap
        self.syscalls = syscalls
        self.flags = flags
    }

    public struct ArchMapEntry: Codable, Hashable, Sendable {
        public var architecture: String
        public var subArchitectures: [String]?

        public init(architecture: String, subArchitectures: [String]? = nil) {
            self.architecture = architecture
            self.subArchitectures = subArchitectures
        }
    }

    public struct Syscall: Codable, Hashable, Sendable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [Arg]?
        public var includes: Filter?
        public var excludes: Filter?
        public var comment: String?

        public init(
            names: [String], action: String, errnoRet: UInt32? = nil, args: [Arg]? = nil,
            includes: Filter? = nil, excludes: Filter? = nil, comment: String? = nil
        ) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
            self.includes = includes
            self.excludes = excludes
            self.comment = comment
        }

        enum CodingKeys: String, CodingKey {
            case names, name, action, errnoRet, args, includes, excludes, comment
        }

        // Older Docker profiles name one syscall per rule with `name`; accept both spellings.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let names = try c.decodeIfPresent([String].self, forKey: .names) {
                self.names = names
            } else if let name = try c.decodeIfPresent(String.self, forKey: .name) {
                self.names = [name]
            } else {
                throw DecodingError.keyNotFound(
                    CodingKeys.names,
                    .init(codingPath: c.codingPath, debugDescription: "a syscall rule needs \"names\" or \"name\""))
            }
            action = try c.decode(String.self, forKey: .action)
            errnoRet = try c.decodeIfPresent(UInt32.self, forKey: .errnoRet)
            args = try c.decodeIfPresent([Arg].self, forKey: .args)
            includes = try c.decodeIfPresent(Filter.self, forKey: .includes)
            excludes = try c.decodeIfPresent(Filter.self, forKey: .excludes)
            comment = try c.decodeIfPresent(String.self, forKey: .comment)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(names, forKey: .names)
            try c.encode(action, forKey: .action)
            try c.encodeIfPresent(errnoRet, forKey: .errnoRet)
            try c.encodeIfPresent(args, forKey: .args)
            try c.encodeIfPresent(includes, forKey: .includes)
            try c.encodeIfPresent(excludes, forKey: .excludes)
            try c.encodeIfPresent(comment, forKey: .comment)
        }
    }

    /// One comparison of a syscall argument: `args[index] op value` (for `SCMP_CMP_MASKED_EQ`:
    /// `args[index] & value == valueTwo`).
    public struct Arg: Codable, Hashable, Sendable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        public var op: String

        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    /// When a rule applies: all `caps` held, the native architecture among `arches`, the running
    /// kernel at least `minKernel` ("4.8"). In `excludes`, any one match drops the rule.
    public struct Filter: Codable, Hashable, Sendable {
        public var caps: [String]?
        public var arches: [String]?
        public var minKernel: String?

        public init(caps: [String]? = nil, arches: [String]? = nil, minKernel: String? = nil) {
            self.caps = caps
            self.arches = arches
            self.minKernel = minKernel
        }
    }
}
