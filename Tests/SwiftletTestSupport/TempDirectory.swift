import Foundation

/// A fresh directory under the system temp dir, removed by `remove()` (call it from tearDown).
/// Shared by the unit test targets (`SwiftletTestSupport`).
public struct TempDirectory: Sendable {
    public let path: String

    public init(_ label: String) throws {
        path = NSTemporaryDirectory() + "swiftlet-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func write(_ relative: String, _ contents: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: false, encoding: .utf8)
    }

    public func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    public func isDirectory(_ relative: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDir) && isDir.boolValue
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
