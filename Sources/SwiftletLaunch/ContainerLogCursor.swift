import Glibc
import SwiftletSystem

/// Reads the files of one container attempt's log (rotated ones oldest first, then the live one) as
/// one byte stream, following the writer across rotations: swiftlet-pause renames the live file and
/// opens a new one between two writes, so the renamed file is complete once the live path names
/// another file, and the cursor drains it through its open descriptor (even if it was deleted
/// meanwhile) before moving on. Bytes are never read twice; they are only lost when rotated files
/// are deleted (`containerLogMaxFiles`) before a slow reader reaches them.
///
/// Rotated files the agent has gzipped (`<name>.gz`, never the newest) are read through `inflate`
/// when the owner passes one (this target has no gzip), and skipped otherwise.
///
/// Not Sendable: one reader owns it.
public final class ContainerLogCursor {
    public let path: String
    private let directory: String
    private let base: String
    /// The content of a `.gz` rotated file, nil when it cannot be read.
    private let inflate: ((String) -> [UInt8]?)?
    /// The content of the compressed file open now (instead of `fd`).
    private var inflated: [UInt8]?
    private var fd: Int32 = -1
    private var identity: (device: UInt64, inode: UInt64) = (0, 0)
    /// The rotated file open now (nil: the live one).
    private var openOrder: ContainerLogFiles.Order?
    /// The last complete file read; the next one sorts after it (nil: start with the oldest).
    private var after: ContainerLogFiles.Order?

    public init(path: String, inflate: ((String) -> [UInt8]?)? = nil) {
        self.path = path
        self.inflate = inflate
        let slash = path.lastIndex(of: "/")
        directory = slash.map { String(path[..<$0]) } ?? "."
        base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Everything readable now, across as many files as are complete.
    public func read() -> [UInt8] {
        var out: [UInt8] = []
        // Bounded: each pass either returns or moves past one file.
        for _ in 0..<10_000 {
            if fd < 0, inflated == nil, !openNext() { return out }
            drain(into: &out)
            if let order = openOrder {
                finish(order)
                continue
            }
            guard liveWasRotated() else { return out }
            // The writer switched files before we looked: what it wrote last is in our descriptor.
            drain(into: &out)
            guard let order = rotatedOrder(of: identity) else {
                // Rotated and already deleted: every older file went first, so what remains is newer.
                closeFile()
                after = nil
                continue
            }
            finish(order)
        }
        return out
    }

    private func finish(_ order: ContainerLogFiles.Order) {
        closeFile()
        after = order
    }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
        inflated = nil
        openOrder = nil
    }

    /// Opens the first rotated file after `after`, else the live file. False: nothing to read yet.
    private func openNext() -> Bool {
        for _ in 0..<100 {
            let rotated = rotatedFiles().filter { isPending($0.order) }
            if let next = rotated.first {
                if next.name.hasSuffix(".gz"), let inflate {
                    // Unreadable (or deleted meanwhile): its bytes are lost, as for a deleted file.
                    guard let bytes = inflate(directory + "/" + next.name) else {
                        after = next.order
                        continue
                    }
                    inflated = bytes
                    openOrder = next.order
                    return true
                }
                // Deleted between the listing and the open: list again.
                guard open(directory + "/" + next.name) else { continue }
                openOrder = next.order
                return true
            }
            // The live file is missing before the container's first write and for an instant during a rotation.
            guard open(path) else { return false }
            openOrder = nil
            // A rotation between our listing and the open would hide a file: look again.
            let missed = rotatedFiles().contains { file in
                isPending(file.order) && file.identity.map { $0 != identity } ?? false
            }
            if !missed { return true }
            closeFile()
        }
        return false
    }

    /// Not read yet: sorts after the last complete file.
    private func isPending(_ order: ContainerLogFiles.Order) -> Bool {
        guard let after else { return true }
        return order > after
    }

    private func open(_ file: String) -> Bool {
        let descriptor = Glibc.open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        var st = stat()
        guard fstat(descriptor, &st) == 0 else {
            close(descriptor)
            return false
        }
        fd = descriptor
        identity = (UInt64(st.st_dev), UInt64(st.st_ino))
        return true
    }

    private func drain(into out: inout [UInt8]) {
        if let bytes = inflated {
            out.append(contentsOf: bytes)
            inflated = []
            return
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                out.append(contentsOf: buffer[0..<n])
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    private func liveWasRotated() -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return errno == ENOENT }
        return (UInt64(st.st_dev), UInt64(st.st_ino)) != identity
    }

    private func rotatedOrder(of file: (device: UInt64, inode: UInt64)) -> ContainerLogFiles.Order? {
        rotatedFiles().first { $0.identity.map { $0 == file } ?? false }?.order
    }

    private struct Rotated {
        var name: String
        var order: ContainerLogFiles.Order
        var identity: (device: UInt64, inode: UInt64)?
    }

    /// Rotated files, oldest first. Compressed ones (`.gz`) only with `inflate`; of a file present
    /// both ways for an instant (compressed, the plain one not yet removed) the plain one.
    private func rotatedFiles() -> [Rotated] {
        let names = ContainerLogFiles.rotated(FileIO.list(directory), base: base)
        let present = Set(names)
        return names.filter { name in
            guard name.hasSuffix(".gz") else { return true }
            return inflate != nil && !present.contains(String(name.dropLast(3)))
        }.compactMap { name in
            guard let order = ContainerLogFiles.order(of: name, base: base) else { return nil }
            var st = stat()
            let id: (device: UInt64, inode: UInt64)? =
                stat(directory + "/" + name, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : nil
            return Rotated(name: name, order: order, identity: id)
        }
    }
}
