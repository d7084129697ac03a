import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube

/// `--socket` for every client command; `SWIFTLET_SOCKET` when absent.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's API socket (default: $SWIFTLET_SOCKET or /run/swiftlet/swiftlet.sock).")
    var socket: String?

    var socketPath: String {
        if let socket, !socket.isEmpty { return socket }
        if let env = ProcessInfo.processInfo.environment["SWIFTLET_SOCKET"], !env.isEmpty { return env }
        return SwiftletAPIClient.defaultSocketPath
    }

    var client: SwiftletAPIClient { SwiftletAPIClient(socketPath: socketPath) }
}

/// `-n/--namespace` and `-A/--all-namespaces`.
struct NamespaceOptions: ParsableArguments {
    @Option(name: [.short, .customLong("namespace")], help: "The namespace.")
    var namespace: String = "default"
}

/// Runs a client command the way kubectl ends one: errors on stderr, exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as APIStatusError {
        printError(error.description)
        throw ExitCode(1)
    } catch let error as ClientError {
        printError("error: \(error.description)")
        throw ExitCode(1)
    } catch let error as CLIUsageError {
        printError("error: \(error.message)")
        throw ExitCode(1)
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// kubectl's way with several objects: each on its own, an API error printed and the rest carried
/// on, exit code 1 at the end when any failed.
func forEachReportingAPIErrors<Item>(_ items: [Item], _ body: (Item) throws -> Void) throws {
    var failed = false
    for item in items {
        do {
            try body(item)
        } catch let error as APIStatusError {
            printError(error.description)
            failed = true
        }
    }
    if failed { throw ExitCode(1) }
}

struct CLIUsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeOut(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}
