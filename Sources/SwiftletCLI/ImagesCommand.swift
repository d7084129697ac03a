import ArgumentParser

/// `swiftlet images import|ls|rm` (owned by the agent engineer).
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "Manage the local image store.")
}
