import Foundation

/// An exclusive flock(2) on a lock file, so a CLI `images import` and a running daemon never interleave
/// their read-modify-write of the index. flock belongs to the open file description, so two threads of one
/// process that each open the file exclude each other too.
struct FileLock {
    let path: String

    func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageError.fileSystem(path: path, operation: "open", errno: errno) }
        defer { close(fd) }  // closing the descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ImageError.fileSystem(path: path, operation: "flock", errno: errno) }
        }
        return try body()
    }
}
