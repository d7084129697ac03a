import Foundation
import SwiftletKube
import SwiftletSystem

/// Pod volumes on the host: `<state>/pods/<uid>/volumes/<plugin>/<name>`, the kubelet's layout.
/// They are created before the first container starts, survive container restarts and sandbox
/// re-creation, and are removed with the pod (`removePod`); hostPath data is never touched.
extension PodRuntime {
    public func volumeDirectory(uid: String, volume: Volume) -> String {
        let plugin: String
        if volume.emptyDir != nil {
            plugin = "kubernetes.io~empty-dir"
        } else if volume.configMap != nil {
            plugin = "kubernetes.io~configmap"
        } else if volume.secret != nil {
            plugin = "kubernetes.io~secret"
        } else if volume.downwardAPI != nil {
            plugin = "kubernetes.io~downward-api"
        } else {
            plugin = "kubernetes.io~projected"
        }
        return "\(stateDirectory(uid: uid))/volumes/\(plugin)/\(volume.name)"
    }

    /// What a container binds for this volume.
    public func volumeSource(uid: String, volume: Volume) -> String {
        volume.hostPath?.path ?? volumeDirectory(uid: uid, volume: volume)
    }

    /// Sets up one volume; safe to call on every sync. `payload` is the content of a
    /// configMap/secret/downwardAPI/projected volume, written atomically when it changed.
    /// Returns true when files were (re)written.
    @discardableResult
    public func setUpVolume(uid: String, volume: Volume, payload: [String: FileProjection]?, fsGroup: Int64?) throws(VolumeSetupError)
        -> Bool
    {
        func fail(_ message: String) -> VolumeSetupError { VolumeSetupError(volume: volume.name, message: message) }
        if let hostPath = volume.hostPath {
            if let message = HostPathCheck.check(hostPath.path, type: hostPath.type ?? "") { throw fail(message) }
            return false
        }
        let dir = volumeDirectory(uid: uid, volume: volume)
        let gid = fsGroup.map { UInt32(clamping: $0) }
        do {
            if !FileIO.isDirectory(dir) {
                try FileIO.makeDirectories(dir, mode: 0o750)
                _ = chmod(dir, volume.emptyDir != nil ? 0o777 : 0o755)
            }
            let memory = volume.emptyDir?.medium == "Memory" || volume.secret != nil
            if let medium = volume.emptyDir?.medium, !medium.isEmpty, medium != "Memory" {
                throw fail("unknown storage medium \"\(medium)\"")
            }
            if memory && !Mount.isMountedFilesystem(dir) {
                // Secrets never touch the disk (the kubelet wraps them in a memory emptyDir).
                var options = "mode=0777"
                if let limit = volume.emptyDir?.sizeLimit, limit.sign > 0 { options += ",size=\(limit.value)" }
                try Mount.tmpfs(target: dir, options: options)
            }
            if volume.emptyDir != nil, let gid {
                // fsGroup on a writable volume: group-owned, group-writable, setgid so new files inherit it.
                _ = chown(dir, UInt32.max, gid)
                _ = chmod(dir, 0o2777)
            }
            guard let payload else { return false }
            return try AtomicWriter.write(dir, payload: payload, gid: gid)
        } catch let error as VolumeSetupError {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }

    /// Bytes used by an emptyDir (tmpfs: from statfs; disk: by walking it), for sizeLimit eviction.
    public func emptyDirUsage(uid: String, volume: Volume) -> Int64 {
        let dir = volumeDirectory(uid: uid, volume: volume)
        if volume.emptyDir?.medium == "Memory" {
            var fs = statvfs()
            guard statvfs(dir, &fs) == 0 else { return 0 }
            return Int64(fs.f_blocks - fs.f_bfree) * Int64(fs.f_frsize)
        }
        return Self.diskUsage(dir)
    }

    /// `du`: allocated bytes of everything below `path`, not following symlinks, not crossing mounts.
    static func diskUsage(_ path: String) -> Int64 {
        var total: Int64 = 0
        var root = stat()
        guard lstat(path, &root) == 0 else { return 0 }
        var pending = [path]
        while let dir = pending.popLast() {
            for name in FileIO.list(dir) {
                let full = dir + "/" + name
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                total += Int64(st.st_blocks) * 512
                if (st.st_mode & S_IFMT) == S_IFDIR && st.st_dev == root.st_dev { pending.append(full) }
            }
        }
        return total
    }

    /// Unmounts and deletes every volume directory of the pod. The tmpfs volumes are the ones the
    /// runtime mounts (`<plugin>/<name>`); anything else mounted below is found by `removeTreeUnmounting`.
    func tearDownVolumes(uid: String) throws {
        let dir = stateDirectory(uid: uid) + "/volumes"
        for plugin in FileIO.list(dir) {
            for name in FileIO.list(dir + "/" + plugin) where Mount.isMountedFilesystem(dir + "/" + plugin + "/" + name) {
                try Mount.unmount(dir + "/" + plugin + "/" + name)
            }
        }
        try Mount.removeTreeUnmounting(dir)
    }
}

/// The kubelet's hostPath `type` checks (`checkTypeInternal`), with its messages.
public enum HostPathCheck {
    /// Nil when the path passes; otherwise the error message. `OrCreate` types create what is missing.
    public static func check(_ path: String, type: String) -> String? {
        var st = stat()
        let exists = stat(path, &st) == 0
        let kind = st.st_mode & S_IFMT
        switch type {
        case "":
            return nil
        case "DirectoryOrCreate", "Directory":
            if !exists {
                guard type == "DirectoryOrCreate" else { return "hostPath type check failed: \(path) does not exist" }
                do { try FileIO.makeDirectories(path, mode: 0o755) } catch { return "\(error)" }
                return nil
            }
            return kind == S_IFDIR ? nil : "hostPath type check failed: \(path) is not a directory"
        case "FileOrCreate", "File":
            if !exists {
                guard type == "FileOrCreate" else { return "hostPath type check failed: \(path) does not exist" }
                // The parent must exist: FileOrCreate does not create directories.
                let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { return "\(SystemError("open", path))" }
                close(fd)
                return nil
            }
            return kind == S_IFREG ? nil : "hostPath type check failed: \(path) is not a file"
        case "Socket":
            return exists && kind == S_IFSOCK ? nil : "hostPath type check failed: \(path) is not a socket file"
        case "CharDevice":
            return exists && kind == S_IFCHR ? nil : "hostPath type check failed: \(path) is not a character device"
        case "BlockDevice":
            return exists && kind == S_IFBLK ? nil : "hostPath type check failed: \(path) is not a block device"
        default:
            return "\(type) is an invalid volume type"
        }
    }
}
