/// Which device nodes a container may open or create (the v1 `devices` controller).
///
/// A container runs as root with CAP_MKNOD by default, so without these rules it could create
/// `/dev/sda`'s node anywhere in its root and read the host's disk. The default is containerd's
/// and runc's: every device denied, then the harmless character devices allowed, plus `mknod` of
/// anything (so images may ship device nodes, which then cannot be opened).
public enum DeviceAccess: Hashable, Sendable {
    /// `privileged: true`: every device, like the host.
    case unrestricted
    case allowList([DeviceRule])

    public static let containerDefault = DeviceAccess.allowList([
        DeviceRule(type: "c", major: nil, minor: nil, access: "m"),
        DeviceRule(type: "b", major: nil, minor: nil, access: "m"),
        DeviceRule(type: "c", major: 1, minor: 3, access: "rwm"),  // null
        DeviceRule(type: "c", major: 1, minor: 5, access: "rwm"),  // zero
        DeviceRule(type: "c", major: 1, minor: 7, access: "rwm"),  // full
        DeviceRule(type: "c", major: 1, minor: 8, access: "rwm"),  // random
        DeviceRule(type: "c", major: 1, minor: 9, access: "rwm"),  // urandom
        DeviceRule(type: "c", major: 5, minor: 0, access: "rwm"),  // tty
        DeviceRule(type: "c", major: 5, minor: 2, access: "rwm"),  // ptmx
        DeviceRule(type: "c", major: 136, minor: nil, access: "rwm"),  // pts/*
        DeviceRule(type: "c", major: 10, minor: 200, access: "rwm"),  // net/tun
    ])
}

/// One line of `devices.allow` / `devices.deny`: `c 1:3 rwm`, `c 136:* rwm`, `a`.
public struct DeviceRule: Hashable, Sendable, CustomStringConvertible {
    /// `a` (all), `c` (character) or `b` (block).
    public var type: Character
    /// nil: any (`*`).
    public var major: Int?
    public var minor: Int?
    /// Some of `r`, `w`, `m`.
    public var access: String

    public init(type: Character, major: Int?, minor: Int?, access: String) {
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    public var description: String {
        if type == "a" { return "a" }
        return "\(type) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }
}
