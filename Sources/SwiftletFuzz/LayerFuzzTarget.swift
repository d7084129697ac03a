import Foundation
import SwiftletImages

/// One fuzz input for the image-layer unpacker: the bytes of a layer archive (tar, gzip or zstd).
///
/// Each input is unpacked into a fresh `snapshot` directory of a per-process work directory that also
/// holds `outside/keep`, the stand-in for the host. What must hold for any archive (a violation traps):
/// the unpacker never traps, and afterwards the work directory holds exactly `layer`, `outside` and
/// `snapshot`, with `outside` as it was: no member escaped through `..`, a symlink or a hard link.
/// Refusing a layer (a thrown error) is a correct outcome.
public final class LayerFuzzTarget: Sendable {
    let work: String
    static let keep = "host file\n"

    /// Creates the work directory under `parent` (a temp dir, removed by `remove()`).
    public init(parent: String = NSTemporaryDirectory()) throws {
        work = parent + "/swiftlet-fuzz-layers-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work + "/outside", withIntermediateDirectories: true)
        try Self.keep.write(toFile: work + "/outside/keep", atomically: false, encoding: .utf8)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: work) }

    /// Unpacks `data`; returns why the layer was refused, nil if it was unpacked (for tests); traps on an
    /// invariant violation.
    @discardableResult
    public func run(_ data: Data) -> (any Error)? {
        let archive = work + "/layer"
        let snapshot = work + "/snapshot"
        guard FileManager.default.createFile(atPath: archive, contents: data),
              mkdir(snapshot, 0o755) == 0
        else { fatalError("fuzz work directory \(work) is not writable: errno \(errno)") }
        var refusal: (any Error)?
        do { _ = try LayerUnpacker(archivePath: archive, root: snapshot).unpack() } catch { refusal = error }
        checkOutsideUntouched()
        // A layer may leave read-only directories behind; make them writable so the removal succeeds.
        _ = Self.makeRemovable(snapshot)
        do { try FileManager.default.removeItem(atPath: snapshot) } catch {
            fatalError("snapshot \(snapshot) cannot be removed: \(error)")
        }
        return refusal
    }

    private func checkOutsideUntouched() {
        let top = (try? FileManager.default.contentsOfDirectory(atPath: work))?.sorted() ?? []
        guard top == ["layer", "outside", "snapshot"] else { fatalError("the layer wrote beside its snapshot: \(top)") }
        let outside = (try? FileManager.default.subpathsOfDirectory(atPath: work + "/outside")) ?? []
        guard outside == ["keep"] else { fatalError("the layer wrote outside its snapshot: outside/\(outside)") }
        var info = stat()
        guard lstat(work + "/outside/keep", &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1,
              (try? String(contentsOfFile: work + "/outside/keep", encoding: .utf8)) == Self.keep
        else { fatalError("the layer changed or linked outside/keep") }
    }

    /// chmod u+rwx on every directory below `path`, without following symlinks.
    private static func makeRemovable(_ path: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return false }
        _ = chmod(path, 0o700)
        while let relative = walker.nextObject() as? String {
            var info = stat()
            let full = path + "/" + relative
            if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { _ = chmod(full, 0o700) }
        }
        return true
    }
}
