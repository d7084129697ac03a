import ArgumentParser

/// `swiftlet daemon`: runs the node agent (owned by the agent engineer).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "Run the node agent.")
    func run() async throws {}
}
