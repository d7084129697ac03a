import Foundation
import Synchronization
import SwiftletImages
import SwiftletKube
import SwiftletLaunch
import SwiftletLifecycle
import SwiftletRuntime
import SwiftletSeccomp

/// Turns a container's securityContext (resolved by the pure `SecurityPolicy`) into what
/// swiftlet-init applies: capability masks, user, paths, and a compiled seccomp program.
struct ContainerConfinement: Sendable {
    /// RuntimeDefault compiled once per capability set: libseccomp needs milliseconds per program,
    /// which every container start would otherwise pay.
    let compiled = CompiledFilters()

    /// containerd's base spec: RLIMIT_NOFILE 1024 soft and hard.
    static let openFilesLimit: (soft: UInt64, hard: UInt64) = (1024, 1024)

    var defaultSeccomp: SeccompChoice
    /// Where `Localhost` seccomp profiles live (the kubelet's `<root-dir>/seccomp`).
    var seccompProfileRoot: String

    func launchSecurity(pod: Pod, container: Container, image: ImageRecord) throws -> (LaunchSpec.Security, [UInt8]?) {
        let (uid, gid) = try ImageUser.resolve(image)
        let resolved: ContainerSecurity
        do {
            resolved = try SecurityPolicy.resolve(
                pod: pod, container: container, imageUser: image.config.user ?? "", imageUID: uid, imageGID: gid,
                defaultSeccomp: defaultSeccomp)
        } catch {
            throw RuntimeError(error.reason, error.message)
        }
        func mask(_ names: [String]) -> UInt64 {
            names.compactMap(LinuxCapability.number).reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
        }
        var program: [UInt8]?
        let profile: SwiftletSeccomp.SeccompProfile?
        switch resolved.seccomp {
        case .unconfined: profile = nil
        case .runtimeDefault: profile = SeccompProfiles.runtimeDefault
        case .localhost(let relative):
            guard !relative.contains(".."), !relative.hasPrefix("/") else {
                throw RuntimeError("CreateContainerConfigError", "localhostProfile \(relative) must be relative to \(seccompProfileRoot)")
            }
            do { profile = try loadSeccompProfile(path: seccompProfileRoot + "/" + relative) } catch {
                throw RuntimeError("CreateContainerError", "failed to load seccomp profile: \(error)")
            }
        }
        if let profile {
            let key = resolved.seccomp == .runtimeDefault ? resolved.bounding.joined(separator: ",") : nil
            if let key, let cached = compiled.program(for: key) {
                program = cached
            } else {
                do { program = try compileSeccompFilter(profile, capabilities: Set(resolved.bounding)) } catch {
                    throw RuntimeError("CreateContainerError", "failed to compile seccomp profile: \(error)")
                }
                // Localhost profiles are files that may change: compiled afresh each time.
                if let key, let program { compiled.store(program, for: key) }
            }
        }
        let security = LaunchSpec.Security(
            bounding: mask(resolved.bounding), effective: mask(resolved.effective), permitted: mask(resolved.permitted),
            inheritable: mask(resolved.inheritable), ambient: mask(resolved.ambient),
            uid: UInt32(clamping: resolved.uid), gid: UInt32(clamping: resolved.gid),
            groups: resolved.supplementalGroups.map { UInt32(clamping: $0) },
            noNewPrivileges: resolved.noNewPrivileges, readOnlyRootfs: resolved.readOnlyRootFilesystem,
            maskedPaths: resolved.maskedPaths, readonlyPaths: resolved.readonlyPaths, seccompFilter: nil)
        var confined = security
        confined.openFilesLimit = Self.openFilesLimit
        confined.privileged = resolved.privileged
        return (confined, program)
    }
}

extension ContainerConfinement {
    /// Compiles RuntimeDefault for a container without a securityContext (the common case) before
    /// any pod needs it: the agent calls this in the background at start-up, so the first pod start
    /// does not pay libseccomp's compilation (~60–80 ms in a release build here, which made the
    /// first start of every bench pass its p99).
    func precompileRuntimeDefault() {
        let pod = Pod(metadata: ObjectMeta(), spec: PodSpec(containers: [Container(name: "c", image: nil)]))
        guard let resolved = try? SecurityPolicy.resolve(pod: pod, container: pod.spec.containers[0], defaultSeccomp: defaultSeccomp),
            resolved.seccomp == .runtimeDefault
        else { return }
        let key = resolved.bounding.joined(separator: ",")
        guard compiled.program(for: key) == nil,
            let program = try? compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: Set(resolved.bounding))
        else { return }
        compiled.store(program, for: key)
    }
}

/// The image's USER: `uid`, `uid:gid`, or names looked up in the image's own /etc/passwd and /etc/group.
enum ImageUser {
    static func resolve(_ image: ImageRecord) throws -> (uid: Int64?, gid: Int64?) {
        guard let user = image.config.user, !user.isEmpty else { return (0, 0) }
        let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
        let uid = Int64(parts[0]) ?? lookup(image.locate("/etc/passwd"), name: parts[0], field: 2)
        var gid: Int64?
        if parts.count > 1 {
            gid = Int64(parts[1]) ?? lookup(image.locate("/etc/group"), name: parts[1], field: 2)
        } else if Int64(parts[0]) == nil {
            gid = lookup(image.locate("/etc/passwd"), name: parts[0], field: 3)
        }
        return (uid, gid ?? (uid == nil ? nil : 0))
    }

    /// A numeric field of the `name` line of a passwd/group file; nil when not found.
    static func lookup(_ file: String?, name: String, field: Int) -> Int64? {
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > field, fields[0] == name { return Int64(fields[field]) }
        }
        return nil
    }
}

/// Compiled RuntimeDefault programs by capability set, shared by every pod worker.
final class CompiledFilters: Sendable {
    private let programs = Mutex<[String: [UInt8]]>([:])

    func program(for key: String) -> [UInt8]? { programs.withLock { $0[key] } }

    func store(_ program: [UInt8], for key: String) { programs.withLock { $0[key] = program } }
}
