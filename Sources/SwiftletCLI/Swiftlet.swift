import ArgumentParser

@main
struct Swiftlet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet", abstract: "A single-node Kubernetes pod runtime.",
        subcommands: [
            DaemonCommand.self, ImagesCommand.self,
            GetCommand.self, DescribeCommand.self, LogsCommand.self, RunCommand.self,
            CreateCommand.self, ApplyCommand.self, DeleteCommand.self, TopCommand.self, VersionCommand.self,
        ])
}
