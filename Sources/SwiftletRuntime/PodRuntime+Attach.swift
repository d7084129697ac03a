import Foundation
import SwiftletLaunch
import SwiftletSystem

extension PodRuntime {
    /// Asks the pod's swiftlet-pause to attach to a running container and returns the connected
    /// socket, which then carries `AttachFrame`s both ways (the caller closes it to detach).
    public func attach(uid: String, container: String, stdin: Bool) throws(RuntimeError) -> Int32 {
        let path = runDirectory(uid: uid).controlSocket
        let fd: Int32
        do {
            fd = try UnixSocket.connect(path: path)
        } catch {
            throw RuntimeError("AttachError", "cannot reach the pod's sandbox: \(error)")
        }
        UnixSocket.setTimeout(fd, milliseconds: 10_000)
        let reply: String
        do {
            try FileIO.writeAll(fd, PauseRequest.attach(container: container, stdin: stdin).line + "\n", subject: path)
            reply = try UnixSocket.readLine(fd, subject: path)
        } catch {
            close(fd)
            throw RuntimeError("AttachError", "attach \(container): \(error)")
        }
        guard reply == "ok" else {
            close(fd)
            throw RuntimeError("AttachError", reply.hasPrefix("error ") ? String(reply.dropFirst(6)) : reply)
        }
        // The stream has no deadline: it lasts as long as the container or the client.
        UnixSocket.setTimeout(fd, milliseconds: 0)
        return fd
    }
}
