import CSwiftletShim
import Glibc
import SwiftletLaunch
import SwiftletSystem

/// Pod volumes, mounted inside the container's mount namespace before pivot_root.
extension ContainerSetup {
    /// `HostToContainer` needs the host's later mounts to reach us: the whole tree becomes a
    /// slave of the host's instead of private (containerd's `rootfsPropagation: rslave`).
    var rootPropagation: UInt {
        spec.volumeMounts.contains { $0.propagation == .rslave } ? SWL_MS_REC | SWL_MS_SLAVE : SWL_MS_REC | SWL_MS_PRIVATE
    }

    func mountVolumes() throws {
        for volume in spec.volumeMounts {
            let stage = "mount volume at \(volume.destination)"
            // The subPath is walked again here, on the inode we bind: whatever a container did to
            // the volume since the agent checked it, no symlink leads out of the volume.
            let fd: Int32
            do { fd = try SafePath.open(root: volume.source, subPath: volume.subPath, create: false) } catch {
                throw ContainerSetupError(stage: stage, detail: "\(error)")
            }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                throw ContainerSetupError(stage: stage, detail: "\(SystemError("fstat", volume.source))")
            }
            let target = inRoot(volume.destination)
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try ensureDirectory(target)
            } else if !FileIO.exists(target) {
                let parent = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
                try ensureDirectory(parent)
                let created = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard created >= 0 else { throw ContainerSetupError(stage: stage, detail: "\(SystemError("create", target))") }
                close(created)
            }
            try mount(SafePath.procPath(fd), target, nil, SWL_MS_BIND | SWL_MS_REC, stage: stage)
            if volume.readOnly {
                try mount(nil, target, nil, SWL_MS_BIND | SWL_MS_REMOUNT | SWL_MS_RDONLY, stage: "remount \(volume.destination) read-only")
            }
            let propagation = volume.propagation == .rslave ? SWL_MS_REC | SWL_MS_SLAVE : SWL_MS_REC | SWL_MS_PRIVATE
            try mount(nil, target, nil, propagation, stage: "set propagation of \(volume.destination)")
        }
    }
}
