import Foundation
import SwiftletKube

/// API-created pods persisted under `<state>/apipods/<uid>.json`, so they survive an agent restart.
struct APIPodStore: Sendable {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func save(_ pod: Pod) throws {
        var stored = pod
        stored.status = nil
        let data = try KubeJSON.encode(stored)
        let path = "\(directory)/\(pod.uid).json"
        try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
    }

    func remove(uid: String) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(uid).json")
    }

    /// A record that exists but does not decode (a torn write, an edit by hand).
    struct Unreadable: Sendable {
        var uid: String
        var path: String
        var problem: String
    }

    func load() -> (pods: [Pod], unreadable: [Unreadable]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var pods: [Pod] = []
        var unreadable: [Unreadable] = []
        for name in names where name.hasSuffix(".json") {
            let path = directory + "/" + name
            let uid = String(name.dropLast(5))
            guard let data = FileManager.default.contents(atPath: path) else {
                unreadable.append(Unreadable(uid: uid, path: path, problem: "cannot be read"))
                continue
            }
            do {
                pods.append(try KubeJSON.decode(Pod.self, from: data))
            } catch {
                unreadable.append(Unreadable(uid: uid, path: path, problem: "\(error)"))
            }
        }
        return (pods, unreadable)
    }

    /// Keeps an unreadable record for the operator as `<uid>.json.corrupt`, out of the next load.
    func setAside(_ record: Unreadable) {
        _ = rename(record.path, record.path + ".corrupt")
    }
}
