import Foundation
import SwiftletSystem

/// Content-addressed blobs under `<images>/blobs/sha256/<hex>`. A blob only appears under its name after its
/// digest and size were checked: writers stream into `<images>/tmp`, hashing as they go, and rename into
/// place, so the store never holds a half-written or unverified blob whatever interrupts a pull or import.
struct ContentStore: Sendable {
    let blobsDirectory: String
    let temporaryDirectory: String

    init(imagesDirectory: String, temporaryDirectory: String) throws {
        blobsDirectory = imagesDirectory + "/blobs/sha256"
        self.temporaryDirectory = temporaryDirectory
        try FileIO.makeDirectories(blobsDirectory)
    }

    func path(_ digest: OCIDigest) -> String { blobsDirectory + "/" + digest.hex }

    func contains(_ digest: OCIDigest) -> Bool { access(path(digest), F_OK) == 0 }

    /// A blob's bytes; refuses blobs larger than `limit` (manifests and configs are small; a huge one is hostile).
    func read(_ digest: OCIDigest, limit: Int = 8 << 20) throws -> Data {
        let file = path(digest)
        var info = stat()
        guard stat(file, &info) == 0 else { throw ImageError.fileSystem(path: file, operation: "stat", errno: errno) }
        guard Int(info.st_size) <= limit else {
            throw ImageError.invalidContent(digest.description, reason: "\(info.st_size) bytes is larger than the \(limit)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ImageError.fileSystem(path: file, operation: "read", errno: errno)
        }
        return data
    }

    /// Decodes a JSON blob.
    func decode<T: Decodable>(_ type: T.Type, _ digest: OCIDigest) throws -> T {
        let data = try read(digest)
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw ImageError.invalidContent(digest.description, reason: "not a valid \(type): \(error)")
        }
    }

    func writer(expected: OCIDescriptor? = nil) throws -> BlobWriter {
        try BlobWriter(store: self, expected: expected)
    }

    /// The staging file a download of `digest` keeps between attempts (see `resumableWriter`).
    func partialPath(_ digest: OCIDigest) -> String { temporaryDirectory + "/" + Self.partialPrefix + digest.hex }
    static let partialPrefix = "partial-"

    /// A writer for a registry download that survives the process: it writes `tmp/partial-<hex>`, and a
    /// later download of the same blob (after a dropped connection or a kill -9) continues from the bytes
    /// already there, re-hashing them first, so the digest is still checked over the whole blob. The
    /// file is flock'd while in use; when another process holds it, this download gets a private file.
    func resumableWriter(expected: OCIDescriptor) throws -> BlobWriter {
        let path = partialPath(expected.digest)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw ImageError.fileSystem(path: path, operation: "open", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return try writer(expected: expected)
        }
        do {
            return try BlobWriter(store: self, expected: expected, resuming: path, fd: fd)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Staging files of downloads no process is writing (their flock is free): what a resumed pull
    /// would continue from.
    func idlePartials() -> [String] {
        var idle: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
        where name.hasPrefix(Self.partialPrefix) {
            let path = temporaryDirectory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { idle.append(path) }
            close(fd)
        }
        return idle
    }

    /// Copies a file into the store, verifying it against `expected` when given. Returns its descriptor.
    @discardableResult
    func ingest(file: String, expected: OCIDescriptor? = nil, mediaType: String = "") throws -> OCIDescriptor {
        if let expected, contains(expected.digest) { return expected }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError.fileSystem(path: file, operation: "open", errno: errno) }
        defer { close(fd) }
        let writer = try writer(expected: expected)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                writer.abandon()
                throw ImageError.fileSystem(path: file, operation: "read", errno: errno)
            }
            if count == 0 { break }
            do { try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) } } catch {
                writer.abandon()
                throw error
            }
        }
        let digest = try writer.commit()
        return OCIDescriptor(
            mediaType: expected?.mediaType ?? mediaType, digest: digest, size: expected?.size ?? writer.written)
    }

    /// Stores in-memory bytes (manifests and configs) under their digest.
    @discardableResult
    func ingest(data: Data, expected: OCIDescriptor? = nil, mediaType: String = "") throws -> OCIDescriptor {
        let writer = try writer(expected: expected)
        do { try data.withUnsafeBytes { try writer.write($0) } } catch {
            writer.abandon()
            throw error
        }
        let digest = try writer.commit()
        return OCIDescriptor(mediaType: expected?.mediaType ?? mediaType, digest: digest, size: Int64(data.count))
    }

    /// Deletes blobs not in `keep`; returns the bytes freed.
    func removeAll(except keep: Set<OCIDigest>) -> Int64 {
        var freed: Int64 = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory)) ?? [] {
            guard let digest = try? OCIDigest(parsing: "sha256:" + name), !keep.contains(digest) else { continue }
            var info = stat()
            if lstat(path(digest), &info) == 0 { freed += Int64(info.st_size) }
            unlink(path(digest))
        }
        return freed
    }
}

/// Streams one blob into a temporary file while hashing it; `commit` checks size and digest and renames it to
/// its content address. A writer that is neither committed nor abandoned leaves only a temporary file, which
/// the store's cleanup removes.
final class BlobWriter {
    private let store: ContentStore
    private let expected: OCIDescriptor?
    private let temporary: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var written: Int64 = 0
    private var closed = false
    /// Writes a `partial-<hex>` file that outlives a failed download (see `ContentStore.resumableWriter`).
    let resumable: Bool

    fileprivate init(store: ContentStore, expected: OCIDescriptor?) throws {
        self.store = store
        self.expected = expected
        resumable = false
        temporary = store.temporaryDirectory + "/blob-\(getpid())-\(UUID().uuidString)"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageError.fileSystem(path: temporary, operation: "create", errno: errno) }
    }

    /// Continues the partial download in `path` (open and locked as `fd`): its bytes are hashed again and
    /// writing goes on at its end. More bytes than the blob has means it is not this blob's: start over.
    fileprivate init(store: ContentStore, expected: OCIDescriptor, resuming path: String, fd: Int32) throws {
        self.store = store
        self.expected = expected
        resumable = true
        temporary = path
        self.fd = fd
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ImageError.fileSystem(path: path, operation: "stat", errno: errno) }
        if Int64(info.st_size) > expected.size {
            try restart()
            return
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError.fileSystem(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            written += Int64(count)
        }
    }

    /// Drops what was written and starts again from the first byte (the registry ignored a Range request).
    func restart() throws {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw ImageError.fileSystem(path: temporary, operation: "truncate", errno: errno)
        }
        hasher = SHA256()
        written = 0
    }

    deinit { abandon() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        written += Int64(bytes.count)
        if let expected, written > expected.size {
            // Checked before writing so a registry cannot fill the disk by sending more than it announced.
            throw ImageError.digestMismatch(
                expected.digest.description, reason: "more than the expected \(expected.size) bytes")
        }
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, base + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError.fileSystem(path: temporary, operation: "write", errno: errno)
            }
            offset += count
        }
    }

    /// Verifies and publishes the blob; returns its digest.
    func commit() throws -> OCIDigest {
        precondition(!closed, "BlobWriter used after commit or abandon")
        defer { abandon() }
        let digest = try OCIDigest(parsing: hasher.finalizeDigest())
        if let expected {
            guard written == expected.size else {
                throw ImageError.digestMismatch(
                    expected.digest.description, reason: "got \(written) bytes, expected \(expected.size)")
            }
            guard digest == expected.digest else {
                throw ImageError.digestMismatch(expected.digest.description, reason: "content has digest \(digest)")
            }
        }
        guard fsync(fd) == 0 else { throw ImageError.fileSystem(path: temporary, operation: "fsync", errno: errno) }
        let destination = store.path(digest)
        guard rename(temporary, destination) == 0 else {
            throw ImageError.fileSystem(path: destination, operation: "rename \(temporary) to", errno: errno)
        }
        // Renamed away: nothing to unlink (the name may already be another download's new file).
        closed = true
        close(fd)
        return digest
    }

    /// Drops the temporary file (idempotent).
    func abandon() {
        guard !closed else { return }
        closed = true
        // Unlinked before the lock goes with the descriptor, so no other process resumes a dropped file.
        unlink(temporary)
        close(fd)
    }

    /// Ends a failed download: a resumable one keeps its bytes for the next attempt, unless they are
    /// wrong (`keep` false: digest or size mismatch), which are dropped; an empty file is dropped too.
    func suspend(keep: Bool) {
        guard resumable, keep, written > 0, !closed else { return abandon() }
        closed = true
        close(fd)
    }
}
