/// The part of an OCI image config that decides how a container starts, in the OCI field meanings:
/// `entrypoint` + `cmd` form the default command (Kubernetes `command` replaces entrypoint, `args` replaces cmd),
/// `env` holds `KEY=value` strings, `user` is `uid[:gid]` or a name resolved inside the rootfs.
public struct ImageConfig: Codable, Sendable, Hashable {
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    /// `STOPSIGNAL` as the image states it (`SIGQUIT`, `QUIT` or `3`); the container's
    /// `lifecycle.stopSignal` overrides it.
    public var stopSignal: String?

    public init(
        entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String]? = nil,
        workingDir: String? = nil, user: String? = nil, stopSignal: String? = nil
    ) {
        self.stopSignal = stopSignal
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
    }
}
