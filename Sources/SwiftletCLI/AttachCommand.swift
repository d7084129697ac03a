import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube

/// `swiftlet attach POD [-c C] [-i] [-t]`, like `kubectl attach`: the container's own output from
/// now on, and with `-i` our stdin into its stdin (`stdin: true` in its spec).
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Attach to the process of a running container.",
        discussion: "Streams the container's output until it exits; -i passes stdin (the container needs stdin: true).")

    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "The pod name.") var pod: String
    @Option(name: [.short, .customLong("container")], help: "The container name (default: the pod's default container).")
    var container: String?
    @Flag(name: [.customShort("i"), .customLong("stdin")], help: "Pass stdin to the container.") var stdin = false
    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Stdin is a TTY (the container needs tty: true).")
    var tty = false

    func run() throws {
        try reportingErrors {
            let name = container ?? defaultContainer(client: client.client, namespace: ns.namespace, pod: pod)
            // kubectl's checks and wording: a terminal only when the container has one and our stdin is one.
            var terminal = false
            if tty {
                let spec = try client.client.getPod(namespace: ns.namespace, name: pod).spec
                let chosen = ((spec.initContainers ?? []) + spec.containers).first { $0.name == name }
                if chosen?.tty != true {
                    printError("Unable to use a TTY - container \(name ?? pod) did not allocate one")
                } else if !stdin || isatty(0) == 0 {
                    printError(stdin ? "Unable to use a TTY - input is not a terminal or the right kind of file" : "Unable to use a TTY - input is not attached")
                } else {
                    terminal = true
                    printError("If you don't see a command prompt, try pressing enter.")
                }
            }
            let session = try ExecConnection(
                socketPath: client.socketPath, namespace: ns.namespace, pod: pod, attachTo: name, stdin: stdin, tty: terminal)
            _ = try runInteractive(session, stdin: stdin, terminal: terminal)
        }
    }
}
