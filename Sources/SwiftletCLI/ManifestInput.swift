import Foundation
import SwiftletKube
import SwiftletManifests

/// Pods from `-f FILE|DIR|-`, decoded, defaulted and validated locally with the manifest decoder
/// the static-pod source uses, so `apply` and a dropped-in file accept exactly the same YAML.
enum ManifestInput {
    static func pods(from paths: [String]) throws -> [Pod] {
        guard !paths.isEmpty else { throw CLIUsageError("must specify one of -f and -k") }
        var pods: [Pod] = []
        for path in paths {
            for (name, data) in try read(path) { pods += try decode(data, fileName: name) }
        }
        return pods
    }

    private static func read(_ path: String) throws -> [(String, Data)] {
        if path == "-" { return [("<stdin>", FileHandle.standardInput.readDataToEndOfFile())] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIUsageError("the path \"\(path)\" does not exist")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted().filter {
                !isIgnoredManifestFileName($0) && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json"))
            }
            return try names.map { name in
                let file = (path as NSString).appendingPathComponent(name)
                return (file, try readFile(file))
            }
        }
        return [(path, try readFile(path))]
    }

    private static func readFile(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIUsageError("cannot read \(path)")
        }
        return data
    }

    private static func decode(_ data: Data, fileName: String) throws -> [Pod] {
        let documents: [ManifestDocument]
        do {
            documents = try ManifestDecoder.decode(data, fileName: fileName)
        } catch {
            throw CLIUsageError(error.description)
        }
        var pods: [Pod] = []
        for document in documents {
            switch document.result {
            case .success(.pod(let pod)): pods.append(pod)
            case .success(.object(let object)):
                throw CLIUsageError(
                    "\(fileName): \(document.location): \(object.kind) \"\(object.metadata.name ?? "")\": the CLI creates pods only; "
                        + "put the file in the manifest directory or POST it to /api/v1/namespaces/\(object.value.namespace)/\(object.resource)")
            case .success(.unsupported(let kind, let apiVersion, _)):
                throw CLIUsageError(
                    "\(fileName): \(document.location): no matches for kind \"\(kind)\" in version \"\(apiVersion)\"")
            case .failure(let error):
                throw CLIUsageError("\(fileName): \(error.description)")
            }
        }
        return pods
    }
}
