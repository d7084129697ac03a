import ArgumentParser
import Foundation
import SwiftletImages
import SwiftletKube

/// `swiftlet images import|pull|ls|inspect|rm|prune`: works on the store directly, with or without a running daemon.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "Manage the local image store.",
        subcommands: [ImportImage.self, PullImage.self, ListImages.self, InspectImage.self, RemoveImage.self, PruneImages.self])
}

struct StoreOptions: ParsableArguments {
    @Option(help: "State directory holding the image store.") var stateDir = "/var/lib/swiftlet"

    func store() throws -> LocalImageStore { try LocalImageStore(stateDir: stateDir) }
}

struct ImportImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an OCI layout, OCI archive, docker-save archive, or a root filesystem directory or tarball.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Image reference to store it under (default: the file name).") var name: String?
    @Option(parsing: .singleValue, help: "Image ENTRYPOINT element (repeat for several).") var entrypoint: [String] = []
    @Option(parsing: .singleValue, help: "Image CMD element (repeat for several).") var cmd: [String] = []
    @Option(parsing: .singleValue, help: "Image ENV entry NAME=VALUE (repeat for several).") var env: [String] = []
    @Option(help: "Image working directory.") var workdir: String?
    @Option(help: "Image STOPSIGNAL (e.g. SIGQUIT): the signal containers are stopped with unless lifecycle.stopSignal says otherwise.")
    var stopSignal: String?
    @Argument(help: "OCI layout directory, OCI or docker archive, or root filesystem directory or tarball (.tar, .tar.gz, .tgz).")
    var path: String

    func run() async throws {
        do {
            let kind = try ImageSourceKind.detect(path)
            if kind != .rootfsDirectory && kind != .rootfsTarball {
                guard entrypoint.isEmpty, cmd.isEmpty, env.isEmpty, workdir == nil, stopSignal == nil else {
                    throw ValidationErrorExit(message: "error: --entrypoint, --cmd, --env, --workdir and --stop-signal apply to root filesystems only; an OCI image brings its own config")
                }
                for record in try store.store().importImage(from: path, name: name) {
                    for reference in record.references { print("imported \(reference) (\(record.id))") }
                }
                return
            }
        } catch let error as ValidationErrorExit {
            throw error
        } catch {
            throw ValidationErrorExit(message: "error: \(error)")
        }
        if let stopSignal, StopSignal.canonicalName(stopSignal) == nil {
            throw ValidationErrorExit(message: "error: --stop-signal \(stopSignal): not a Linux signal name or number")
        }
        let reference = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let config = ImageConfig(
            entrypoint: entrypoint.isEmpty ? nil : entrypoint, cmd: cmd.isEmpty ? nil : cmd,
            env: env.isEmpty ? nil : env, workingDir: workdir, user: nil, stopSignal: stopSignal)
        do {
            let record = try store.store().importRootfs(from: path, reference: reference, config: config)
            print("imported \(try normalizeImageReference(reference)) (\(record.id))")
        } catch {
            throw ValidationErrorExit(message: "error: \(error)")
        }
    }
}

struct ListImages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let records = try store.store().list()
        var rows = [["REFERENCE", "IMAGE ID", "SIZE", "CREATED"]]
        for record in records {
            for reference in record.references.sorted() {
                let id = String(record.id.replacingOccurrences(of: "sha256:", with: "").prefix(12))
                rows.append([reference, id, ByteCountFormatter.string(fromByteCount: record.size, countStyle: .binary), "\(record.created)"])
            }
        }
        let widths = (0..<4).map { col in rows.map { $0[col].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 3, withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces))
        }
    }
}

struct RemoveImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove image references.")
    @OptionGroup var store: StoreOptions
    @Argument var references: [String]

    func run() async throws {
        let store = try store.store()
        var failed = false
        for reference in references {
            do {
                try store.remove(reference)
                print("untagged \(reference)")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// An error printed as is, with exit code 1.
struct ValidationErrorExit: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
