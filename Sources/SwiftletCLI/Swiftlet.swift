import ArgumentParser

@main
struct Swiftlet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet", abstract: "A single-node Kubernetes pod runtime.",
        discussion: """
            swiftlet runs Kubernetes pods on this host: drop pod manifests into the manifest \\
            directory (default /etc/swiftlet/manifests) or create them through the API, and use \\
            the other commands like kubectl. Start here:

              swiftlet daemon --manifest-dir DIR     run the agent (as root; see --help there)
              swiftlet images import --name busybox --cmd sh ROOTFS_DIR
              swiftlet run demo --image busybox -- sh -c 'echo hi; sleep 3600'
              swiftlet get pods -o wide
              swiftlet logs demo -f
              swiftlet describe pod demo
              swiftlet delete pod demo

            Client commands reach the daemon through --socket, $SWIFTLET_SOCKET or \\
            /run/swiftlet/swiftlet.sock. Documentation: /usr/local/share/doc/swiftlet or Docs/ in \\
            the source tree.
            """,
        subcommands: [
            DaemonCommand.self, ImagesCommand.self,
            GetCommand.self, DescribeCommand.self, LogsCommand.self, ExecCommand.self, AttachCommand.self, RunCommand.self,
            CreateCommand.self, ApplyCommand.self, DeleteCommand.self, TopCommand.self, DrainCommand.self,
            RolloutCommand.self, ScaleCommand.self, SetCommand.self,
            VersionCommand.self,
        ])
}
