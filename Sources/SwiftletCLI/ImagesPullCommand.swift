import ArgumentParser
import Foundation
import SwiftletImages

/// Registry options shared by `images pull` and the daemon.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("insecure-registry"), parsing: .singleValue,
            help: "Registry host[:port] to reach over plain HTTP (repeat; localhost and 127.0.0.1 always are).")
    var insecureRegistries: [String] = []
    @Option(name: .customLong("registry-mirror"), parsing: .singleValue,
            help: "HOST=URL: try the mirror URL before registry HOST (repeat; docker.io for Docker Hub).")
    var mirrors: [String] = []
    @Option(help: "docker-style config.json with registry credentials (default: <state-dir>/config.json, then ~/.docker/config.json).")
    var registryConfig: String?

    func configuration(stateDir: String) throws -> RegistryConfiguration {
        RegistryConfiguration(
            insecureRegistries: insecureRegistries, mirrors: try RegistryConfiguration.parseMirrors(mirrors),
            credentialFiles: registryConfig.map { [$0] } ?? RegistryConfiguration.defaultCredentialFiles(stateDir: stateDir))
    }
}

struct PullImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull an image from a registry.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryOptions
    @Flag(name: .shortAndLong, help: "No progress output.") var quiet = false
    @Argument(help: "Image reference, e.g. busybox:1.36 or registry.example:5000/team/app@sha256:…") var reference: String

    func run() async throws {
        let bar = !quiet && isatty(STDOUT_FILENO) == 1 ? ProgressBars() : nil
        do {
            let started = Date()
            var report: (@Sendable (PullProgress) -> Void)?
            if let bar { report = { progress in bar.update(progress) } }
            let configuration = try registry.configuration(stateDir: store.stateDir)
            let record = try await store.store().pull(reference, registry: configuration, credential: nil, progress: report)
            bar?.finish()
            if !quiet {
                let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
                print("pulled \(try normalizeImageReference(reference)) (\(record.id)) in \(seconds)s, \(record.size) bytes")
            }
        } catch {
            bar?.finish()
            throw ValidationErrorExit(message: "error: \(error)")
        }
    }
}

/// One line per layer, redrawn in place on a terminal: `sha256:abcd…  12.3 MiB / 40.0 MiB [=====>    ]`.
final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var order: [String] = []
    private var layers: [String: PullProgress] = [:]
    private var drawnLines = 0
    private var lastDraw = Date.distantPast

    func update(_ progress: PullProgress) {
        lock.lock()
        defer { lock.unlock() }
        if layers[progress.digest] == nil { order.append(progress.digest) }
        layers[progress.digest] = progress
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || progress.completed == progress.total else { return }
        lastDraw = now
        draw()
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        draw()
    }

    private func draw() {
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for digest in order {
            guard let layer = layers[digest] else { continue }
            let short = String(digest.dropFirst(7).prefix(12))
            let status: String
            if layer.cached {
                status = "already present"
            } else {
                let width = 30
                let fraction = layer.total > 0 ? min(1, Double(layer.completed) / Double(layer.total)) : 1
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
                status = "\(Self.mebibytes(layer.completed)) / \(Self.mebibytes(layer.total)) [\(bar)]"
            }
            text += "\u{1B}[2K\(short)  \(status)\n"
        }
        drawnLines = order.count
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func mebibytes(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}

struct InspectImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image's record as JSON.")
    @OptionGroup var store: StoreOptions
    @Argument var reference: String

    func run() async throws {
        guard let record = try store.store().resolve(reference) else {
            throw ValidationErrorExit(message: "error: image \"\(reference)\" not found")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(record), as: UTF8.self))
    }
}

struct PruneImages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete blobs, layer snapshots and leftovers no image references.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let freed = try store.store().collectGarbage()
        print("freed \(freed) bytes of blobs")
    }
}
