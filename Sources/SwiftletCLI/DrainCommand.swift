import ArgumentParser
import Foundation
import SwiftletClient
import SwiftletKube

/// `swiftlet drain`: the daemon stops every pod gracefully, then exits (before maintenance or a reboot).
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain", abstract: "Stop every pod gracefully, then stop the daemon.",
        discussion: """
            Each pod gets its preStop hooks and terminationGracePeriodSeconds, as on deletion. \\
            Manifest files and API-created pods are kept: the next daemon start runs them again. \\
            Under systemd the service stays stopped (Restart=on-failure).
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: "Seconds to wait for the daemon to finish.") var timeout: Double = 600

    func run() async throws {
        try reportingErrors {
            let api = client.client
            let status = try api.drain()
            writeOut(status.message + "\n")
            let deadline = Date().addingTimeInterval(timeout)
            var lastCount = -1
            while Date() < deadline {
                guard let pods = try? api.listPods(namespace: nil) else {
                    writeOut("drained; the daemon has stopped\n")
                    return
                }
                if pods.items.count != lastCount {
                    lastCount = pods.items.count
                    writeOut("\(lastCount) pods left\n")
                }
                usleep(200_000)
            }
            printError("error: the daemon did not finish draining within \(Int(timeout)) s")
            throw ExitCode(1)
        }
    }
}
