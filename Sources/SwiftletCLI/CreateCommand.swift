import ArgumentParser
import SwiftletClient
import SwiftletKube

/// `swiftlet create -f FILE|-`: fails with AlreadyExists, like kubectl.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create pods from files or stdin.")

    @OptionGroup var client: ClientOptions
    @Option(name: [.short, .customLong("filename")], help: "A manifest file, directory, or - for stdin.") var filename: [String] = []

    func run() async throws {
        try reportingErrors {
            let api = client.client
            try forEachReportingAPIErrors(try ManifestInput.pods(from: filename)) { pod in
                let created = try api.createPod(pod)
                writeOut("pod/\(created.name) created\n")
            }
        }
    }
}

/// `swiftlet apply -f FILE|-`: create, replace when the spec changed, or leave alone.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Create or update pods from files or stdin.")

    @OptionGroup var client: ClientOptions
    @Option(name: [.short, .customLong("filename")], help: "A manifest file, directory, or - for stdin.") var filename: [String] = []

    func run() async throws {
        try reportingErrors {
            let api = client.client
            try forEachReportingAPIErrors(try ManifestInput.pods(from: filename)) { pod in
                writeOut("pod/\(pod.name) \(try apply(pod, api))\n")
            }
        }
    }

    private func apply(_ pod: Pod, _ api: SwiftletAPIClient) throws -> String {
        let existing: Pod
        do {
            existing = try api.getPod(namespace: pod.namespace, name: pod.name)
        } catch let error as APIStatusError where error.status.code == 404 {
            _ = try api.createPod(pod)
            return "created"
        }
        if existing.spec == pod.spec, (existing.metadata.labels ?? [:]) == (pod.metadata.labels ?? [:]) {
            return "unchanged"
        }
        var replacement = pod
        replacement.metadata.resourceVersion = existing.metadata.resourceVersion
        replacement.metadata.uid = existing.metadata.uid
        _ = try api.replacePod(replacement)
        return "configured"
    }
}
