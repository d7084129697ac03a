import ArgumentParser
import SwiftletClient

/// The version this build reports (`swiftlet version`, `GET /version`).
enum SwiftletBuild {
    static let version = "v0.1.0"
}

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the client and server versions.")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print only the client version.") var clientOnly = false

    func run() async throws {
        writeOut("Client Version: \(SwiftletBuild.version)\n")
        if clientOnly { return }
        try reportingErrors {
            let server = try client.client.version()
            writeOut("Server Version: \(server.gitVersion)\n")
        }
    }
}
