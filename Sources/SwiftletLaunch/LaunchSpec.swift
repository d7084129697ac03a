/// Everything swiftlet-init needs to turn a freshly cloned process into the container:
/// written by the agent to `<pod run dir>/containers/<name>.launch`, read by swiftlet-pause
/// (log path, pid namespace) and by swiftlet-init (the rest).
public struct LaunchSpec: Hashable, Sendable {
    /// The overlay mount prepared by the agent; becomes `/` by pivot_root.
    public var rootfs: String
    public var arguments: [String]
    public var environment: [String]
    public var workingDirectory: String
    /// `cgroup.procs` files the process joins (writing "0") before anything else.
    public var cgroupProcs: [String]
    /// The CRI log file swiftlet-pause appends the container's stdout/stderr to.
    public var logPath: String
    /// True: a fresh pid namespace with the command as PID 1. False: the pod's shared one
    /// (`shareProcessNamespace: true`).
    public var privatePIDNamespace: Bool
    public var binds: [Bind]
    /// Written to /proc/self/oom_score_adj before exec (the kubelet's per-QoS value); nil leaves it inherited.
    public var oomScoreAdj: Int? = nil
    /// How the process is confined; nil: as root with the spawner's privileges (privileged containers).
    public var security: Security? = nil
    /// Pod volumes, mounted in this order after the pod binds.
    public var volumeMounts: [VolumeMount] = []
    /// When swiftlet-pause rotates the log file; nil: never (see ContainerLogFiles).
    public var logRotation: ContainerLogFiles.Rotation? = nil
    /// `stdin: true`: swiftlet-pause keeps the write end of the container's stdin for `attach`
    /// (else stdin is /dev/null); `stdinOnce` closes it after the first attach session.
    public var openStdin = false
    public var stdinOnce = false
    /// `tty: true`: swiftlet-init opens a terminal in the container's devpts, makes it the command's
    /// stdio and controlling terminal, and hands the master to swiftlet-pause over fd 3.
    public var tty = false

    /// The confinement swiftlet-init applies before exec (capabilities as bit masks by number).
    public struct Security: Hashable, Sendable {
        public var bounding: UInt64
        public var effective: UInt64
        public var permitted: UInt64
        public var inheritable: UInt64
        public var ambient: UInt64
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]
        public var noNewPrivileges: Bool
        public var readOnlyRootfs: Bool
        public var maskedPaths: [String]
        public var readonlyPaths: [String]
        /// A file of classic-BPF `sock_filter` entries compiled by the agent; nil: no seccomp filter.
        public var seccompFilter: String?
        /// RLIMIT_NOFILE (soft, hard); nil keeps the inherited limits.
        public var openFilesLimit: (soft: UInt64, hard: UInt64)? = nil
        /// `privileged: true`: the host's devices and a writable /sys, as the OCI runtimes give it.
        public var privileged = false

        public static func == (a: Security, b: Security) -> Bool {
            a.encodedEntries == b.encodedEntries
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(encodedEntries) }

        private var encodedEntries: String {
            var file = KeyValueFile()
            encode(into: &file)
            return file.encoded()
        }

        public init(
            bounding: UInt64, effective: UInt64, permitted: UInt64, inheritable: UInt64, ambient: UInt64, uid: UInt32,
            gid: UInt32, groups: [UInt32], noNewPrivileges: Bool, readOnlyRootfs: Bool, maskedPaths: [String],
            readonlyPaths: [String], seccompFilter: String?
        ) {
            self.bounding = bounding
            self.effective = effective
            self.permitted = permitted
            self.inheritable = inheritable
            self.ambient = ambient
            self.uid = uid
            self.gid = gid
            self.groups = groups
            self.noNewPrivileges = noNewPrivileges
            self.readOnlyRootfs = readOnlyRootfs
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.seccompFilter = seccompFilter
        }

        func encode(into file: inout KeyValueFile) {
            file.append("caps", [bounding, effective, permitted, inheritable, ambient].map { String($0) }.joined(separator: ","))
            file.append("user", "\(uid):\(gid)")
            for g in groups { file.append("group", String(g)) }
            if noNewPrivileges { file.append("noNewPrivileges", "true") }
            if readOnlyRootfs { file.append("readOnlyRootfs", "true") }
            for p in maskedPaths { file.append("masked", p) }
            for p in readonlyPaths { file.append("readonly", p) }
            if let seccompFilter { file.append("seccomp", seccompFilter) }
            if let limit = openFilesLimit { file.append("nofile", "\(limit.soft):\(limit.hard)") }
            if privileged { file.append("privileged", "true") }
        }

        init?(decoding file: KeyValueFile) throws(DecodeError) {
            guard let caps = file.first("caps") else { return nil }
            let masks = caps.split(separator: ",").compactMap { UInt64($0) }
            guard masks.count == 5 else { throw DecodeError.invalid("caps", caps) }
            let user = (file.first("user") ?? "0:0").split(separator: ":").compactMap { UInt32($0) }
            guard user.count == 2 else { throw DecodeError.invalid("user", file.first("user") ?? "") }
            var groups: [UInt32] = []
            for g in file.all("group") {
                guard let v = UInt32(g) else { throw DecodeError.invalid("group", g) }
                groups.append(v)
            }
            self.init(
                bounding: masks[0], effective: masks[1], permitted: masks[2], inheritable: masks[3], ambient: masks[4],
                uid: user[0], gid: user[1], groups: groups, noNewPrivileges: file.first("noNewPrivileges") == "true",
                readOnlyRootfs: file.first("readOnlyRootfs") == "true", maskedPaths: file.all("masked"),
                readonlyPaths: file.all("readonly"), seccompFilter: file.first("seccomp"))
            if let raw = file.first("nofile") {
                let parts = raw.split(separator: ":").compactMap { UInt64($0) }
                guard parts.count == 2, parts[0] <= parts[1] else { throw DecodeError.invalid("nofile", raw) }
                openFilesLimit = (parts[0], parts[1])
            }
            privileged = file.first("privileged") == "true"
        }
    }

    public struct Bind: Hashable, Sendable {
        public var source: String
        /// Inside the container, absolute.
        public var destination: String
        public var readOnly: Bool

        public init(source: String, destination: String, readOnly: Bool) {
            self.source = source
            self.destination = destination
            self.readOnly = readOnly
        }
    }

    public init(
        rootfs: String, arguments: [String], environment: [String], workingDirectory: String,
        cgroupProcs: [String], logPath: String, privatePIDNamespace: Bool, binds: [Bind]
    ) {
        self.rootfs = rootfs
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.cgroupProcs = cgroupProcs
        self.logPath = logPath
        self.privatePIDNamespace = privatePIDNamespace
        self.binds = binds
    }

    public func encoded() -> String {
        var file = KeyValueFile()
        file.append("rootfs", rootfs)
        for a in arguments { file.append("arg", a) }
        for e in environment { file.append("env", e) }
        file.append("cwd", workingDirectory)
        for c in cgroupProcs { file.append("cgroup", c) }
        file.append("log", logPath)
        file.append("pidns", privatePIDNamespace ? "private" : "pod")
        for b in binds {
            file.append("bind", (b.readOnly ? "ro" : "rw") + "\t" + b.source + "\t" + b.destination)
        }
        if let oomScoreAdj { file.append("oomScoreAdj", String(oomScoreAdj)) }
        for m in volumeMounts { file.append("volume", m.encoded) }
        security?.encode(into: &file)
        encodeLogRotation(into: &file)
        encodeStdin(into: &file)
        return file.encoded()
    }

    public enum DecodeError: Error, CustomStringConvertible, Sendable {
        case missing(String)
        case invalid(String, String)
        case malformed(KeyValueFile.ParseError)

        public var description: String {
            switch self {
            case .malformed(let error): return "launch spec: \(error)"
            case .missing(let key): return "launch spec: missing \(key)"
            case .invalid(let key, let value): return "launch spec: invalid \(key) \"\(value)\""
            }
        }
    }

    public init(decoding text: String) throws(DecodeError) {
        let file: KeyValueFile
        do { file = try KeyValueFile(parsing: text) } catch { throw .malformed(error) }
        guard let rootfs = file.first("rootfs") else { throw DecodeError.missing("rootfs") }
        guard let log = file.first("log") else { throw DecodeError.missing("log") }
        let args = file.all("arg")
        guard !args.isEmpty else { throw DecodeError.missing("arg") }
        var binds: [Bind] = []
        for raw in file.all("bind") {
            let parts = raw.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "ro" || parts[0] == "rw" else { throw DecodeError.invalid("bind", raw) }
            binds.append(Bind(source: String(parts[1]), destination: String(parts[2]), readOnly: parts[0] == "ro"))
        }
        self.init(
            rootfs: rootfs, arguments: args, environment: file.all("env"),
            workingDirectory: file.first("cwd") ?? "/", cgroupProcs: file.all("cgroup"), logPath: log,
            privatePIDNamespace: file.first("pidns") != "pod", binds: binds)
        if let raw = file.first("oomScoreAdj") {
            guard let value = Int(raw), (-1000...1000).contains(value) else { throw DecodeError.invalid("oomScoreAdj", raw) }
            oomScoreAdj = value
        }
        security = try Security(decoding: file)
        for raw in file.all("volume") { volumeMounts.append(try VolumeMount(decoding: raw)) }
        logRotation = try Self.decodeLogRotation(file)
        try decodeStdin(file)
    }
}
