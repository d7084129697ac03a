import Foundation
import SwiftletKube
import SwiftletManifests

/// The static-pod directory: what each manifest file defines, remembered across edits so that a
/// broken edit never takes down the pod an earlier valid version started.
struct StaticPodSource {
    struct FileRecord {
        var modified: Date?
        var size: Int
        /// Owner and mode are part of what makes a file new: a chmod o+w must get it refused.
        var owner: Int = -1
        var permissions: Int = -1
        /// Pods of the last valid version of the file (annotated, with their UIDs).
        var pods: [Pod]
        /// ConfigMaps, Secrets, ... of the last valid version of the file.
        var objects: [AnyKubeObject] = []
        var loadError: String?
        var conflict: String?

        var state: String { conflict != nil ? "Conflict" : loadError != nil ? "Invalid" : "Loaded" }
        var error: String? { [loadError, conflict].compactMap { $0 }.joined(separator: "\n").nilIfEmpty }
    }

    let directory: String
    let nodeName: String
    let requireSecureFiles: Bool
    private(set) var files: [String: FileRecord] = [:]

    init(directory: String, nodeName: String, requireSecureFiles: Bool) {
        self.directory = directory
        self.nodeName = nodeName
        self.requireSecureFiles = requireSecureFiles
    }

    /// Re-reads the directory; returns the paths whose outcome changed with their new error (nil when fine).
    mutating func rescan() -> [(path: String, error: String?)] {
        var changes: [(String, String?)] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var seen = Set<String>()
        for name in names.sorted() {
            let path = directory + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            if isIgnoredManifestFileName(name) { continue }
            seen.insert(path)
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = attributes?[.modificationDate] as? Date
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let owner = (attributes?[.ownerAccountID] as? NSNumber)?.intValue ?? -1
            let permissions = (attributes?[.posixPermissions] as? NSNumber)?.intValue ?? -1
            if let old = files[path], old.modified == modified, old.size == size, old.owner == owner, old.permissions == permissions {
                continue
            }
            var record = files[path] ?? FileRecord(modified: nil, size: -1, pods: [])
            record.modified = modified
            record.size = size
            record.owner = owner
            record.permissions = permissions
            switch load(path) {
            case .success(let (pods, objects)):
                record.pods = pods
                record.objects = objects
                record.loadError = nil
            case .failure(let error):
                // Keep the last good pods running; show the error.
                record.loadError = error.description
            }
            files[path] = record
            changes.append((path, record.error))
        }
        for path in files.keys where !seen.contains(path) {
            files[path] = nil
            changes.append((path, nil))
        }
        return changes
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    func load(_ path: String) -> Result<([Pod], [AnyKubeObject]), LoadError> {
        // A static pod runs as root on the host: whoever can write its file owns the host.
        if requireSecureFiles {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_uid != 0 || st.st_mode & 0o022 != 0) {
                return .failure(
                    LoadError(
                        description: "\(path): refused: a manifest file must be owned by root and not writable by group or others "
                            + "(owner uid \(st.st_uid), mode \(String(st.st_mode & 0o777, radix: 8)))"))
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(LoadError(description: "\(path): cannot be read"))
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: ManifestDecoder.maxManifestBytes + 1)) ?? Data()
        let documents: [ManifestDocument]
        do { documents = try ManifestDecoder.decode(data, fileName: path) } catch {
            return .failure(LoadError(description: "\(error)"))
        }
        var pods: [Pod] = []
        var objects: [AnyKubeObject] = []
        var errors: [String] = []
        let seen = Date()
        for document in documents {
            switch document.result {
            case .success(.pod(var pod)):
                annotateStaticPod(&pod, filePath: path, nodeName: nodeName, seen: seen)
                pods.append(pod)
            case .success(.object(let object)):
                objects.append(object)
            case .success(.unsupported(let kind, let apiVersion, let name)):
                errors.append("\(document.location): kind \"\(kind)\" (\(apiVersion)) \(name.map { "\"\($0)\" " } ?? "")is not supported by swiftlet yet")
            case .failure(let error):
                // One field error per line: a manifest with 20 mistakes reads as 20 lines.
                let fields = error.fieldErrors
                if fields.isEmpty {
                    errors.append(error.description)
                } else {
                    errors.append("\(document.location): \(fields.count) error(s):\n" + fields.map { "  " + $0.description }.joined(separator: "\n"))
                }
            }
        }
        if !errors.isEmpty { return .failure(LoadError(description: "\(path): " + errors.joined(separator: "\n"))) }
        if pods.isEmpty && objects.isEmpty { return .failure(LoadError(description: "\(path): no pod in file")) }
        return .success((pods, objects))
    }

    /// Desired pods by key, with conflicts: a key defined by several files runs from none of them
    /// unless one of them already runs it (`running`), and every file involved is marked `Conflict`.
    mutating func desiredPods(running: [String: String]) -> [Pod] {
        var byKey: [String: [(path: String, pod: Pod)]] = [:]
        for path in files.keys { files[path]?.conflict = nil }
        for (path, record) in files {
            for pod in record.pods { byKey[pod.key, default: []].append((path, pod)) }
        }
        var result: [Pod] = []
        for (key, claims) in byKey {
            if claims.count == 1 {
                result.append(claims[0].pod)
                continue
            }
            let paths = claims.map(\.path).sorted()
            for path in paths {
                files[path]?.conflict = "pod \(key) is defined in more than one file: \(paths.joined(separator: ", "))"
            }
            if let uid = running[key], let keep = claims.first(where: { $0.pod.uid == uid }) { result.append(keep.pod) }
        }
        return result
    }

    /// Objects by store key; a key defined by several files is used from none of them, and every
    /// file involved is marked `Conflict` (call after `desiredPods`, which resets the marks).
    mutating func desiredObjects() -> [(path: String, object: AnyKubeObject)] {
        var byKey: [String: [(path: String, object: AnyKubeObject)]] = [:]
        for (path, record) in files {
            for object in record.objects { byKey[ObjectStore.key(object), default: []].append((path, object)) }
        }
        var result: [(path: String, object: AnyKubeObject)] = []
        for (key, claims) in byKey {
            if claims.count == 1 {
                result.append(claims[0])
                continue
            }
            let paths = claims.map(\.path).sorted()
            for path in paths {
                files[path]?.conflict = "\(key) is defined in more than one file: \(paths.joined(separator: ", "))"
            }
        }
        return result
    }

    var statuses: [ManifestFileStatus] {
        files.keys.sorted().compactMap { path in
            guard let r = files[path] else { return nil }
            return ManifestFileStatus(
                path: path, state: r.state, pods: r.pods.map(\.key), error: r.error,
                lastModified: r.modified.map { KubeTime($0) })
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
