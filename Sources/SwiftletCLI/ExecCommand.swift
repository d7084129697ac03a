import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube
import SwiftletSystem

/// `swiftlet exec POD [-c C] [-i] [-t] -- COMMAND [ARG...]`, like `kubectl exec`.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command in a running container.",
        discussion: "The command's exit code becomes swiftlet's exit code.")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "The pod name.") var pod: String
    @Option(name: [.short, .customLong("container")], help: "The container name (default: the pod's default container).")
    var container: String?
    @Flag(name: [.customShort("i"), .customLong("stdin")], help: "Pass stdin to the command.") var stdin = false
    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Allocate a terminal for the command.") var tty = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func run() throws {
        var result: ExecResult?
        try reportingErrors {
            guard !command.isEmpty else { throw CLIUsageError("you must specify at least one command for the container") }
            let name = container ?? defaultContainer(client: client.client, namespace: ns.namespace, pod: pod)
            // kubectl: -t without -i, or without a terminal on our side, gives no terminal.
            let terminal = tty && stdin && isatty(0) != 0
            if tty && !terminal {
                printError(stdin ? "Unable to use a TTY - input is not a terminal or the right kind of file" : "Unable to use a TTY - input is not attached")
            }
            let session = try ExecConnection(
                socketPath: client.socketPath, namespace: ns.namespace, pod: pod, container: name, command: command,
                stdin: stdin, tty: terminal)
            result = try runInteractive(session, stdin: stdin, terminal: terminal)
        }
        guard let result else { return }
        if result.exitCode != 0 {
            printError("command terminated with exit code \(result.exitCode)")
            throw ExitCode(result.exitCode)
        }
    }
}
