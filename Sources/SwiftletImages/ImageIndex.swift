import Foundation

/// The on-disk list of images (`<stateDir>/images/index.json`). Readers need no lock: writers replace the
/// file by rename, so a reader sees either the old or the new index, never half of one.
struct ImageIndex: Codable, Sendable, Equatable {
    static let currentVersion = 1

    var version = ImageIndex.currentVersion
    var images: [ImageRecord] = []

    static func load(_ path: String) throws -> ImageIndex {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw ImageError.fileSystem(path: path, operation: "read", errno: EACCES)
            }
            return ImageIndex()
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            let index = try decoder.decode(ImageIndex.self, from: data)
            guard index.version == currentVersion else {
                throw ImageError.corruptIndex(path: path, detail: "unsupported index version \(index.version)")
            }
            return index
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError.corruptIndex(path: path, detail: "\(error)")
        }
    }

    /// Writes to a temporary file in the same directory, fsyncs, then renames over `path`.
    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageError.fileSystem(path: temporary, operation: "create", errno: errno) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temporary) }
        }
        try data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ImageError.fileSystem(path: temporary, operation: "write", errno: errno)
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw ImageError.fileSystem(path: temporary, operation: "fsync", errno: errno) }
        guard rename(temporary, path) == 0 else {
            throw ImageError.fileSystem(path: path, operation: "rename \(temporary) to", errno: errno)
        }
        ok = true
    }
}
