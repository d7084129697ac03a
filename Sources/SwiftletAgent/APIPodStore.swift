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

    func load() -> [Pod] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
            return try? KubeJSON.decode(Pod.self, from: data)
        }
    }
}
