import Foundation

/// Errors of the image layer; each names the reference or path it is about.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Kubernetes reports this as the container's waiting reason `InvalidImageName`.
    case invalidReference(String, reason: String)
    case notFound(String)
    case sourceNotFound(String)
    /// Neither a directory nor a .tar/.tar.gz/.tgz file.
    case unsupportedSource(String)
    /// An archive member that would land outside the rootfs (absolute, or with a ".." component).
    case unsafeArchiveMember(archive: String, member: String)
    case commandFailed(command: String, status: Int32, stderr: String)
    case fileSystem(path: String, operation: String, errno: Int32)
    case corruptIndex(path: String, detail: String)
    case invalidDigest(String)
    /// A manifest, index or config that cannot be used (named by digest or path).
    case invalidContent(String, reason: String)
    /// A blob whose bytes do not match the digest or size that named it; nothing was stored.
    case digestMismatch(String, reason: String)
    /// A layer member refused because it would write outside its snapshot (or through a symlink, or as a
    /// device node without privilege); the whole layer is refused.
    case unsafeLayerMember(archive: String, member: String, reason: String)
    case archive(path: String, message: String)
    /// A registry answered with an error, or could not be reached; `reference` is what was being pulled.
    case registry(String, reason: String)
    /// The registry has no such repository, tag or digest.
    case notFoundInRegistry(String)
    /// No manifest in an index for this platform.
    case noMatchingPlatform(String, platform: String, available: [String])

    public var description: String {
        switch self {
        case .invalidReference(let reference, let reason):
            return "invalid image reference \"\(reference)\": \(reason)"
        case .notFound(let reference):
            return "image \"\(reference)\" not found"
        case .sourceNotFound(let path):
            return "\(path): no such file or directory"
        case .unsupportedSource(let path):
            return "\(path): not a directory or a .tar, .tar.gz or .tgz file"
        case .unsafeArchiveMember(let archive, let member):
            return "\(archive): member \"\(member)\" would be extracted outside the root filesystem"
        case .commandFailed(let command, let status, let stderr):
            let detail = stderr.isEmpty ? "" : ": " + stderr
            return "\(command) exited with status \(status)\(detail)"
        case .fileSystem(let path, let operation, let code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case .corruptIndex(let path, let detail):
            return "\(path): \(detail)"
        case .invalidDigest(let digest):
            return "invalid digest \"\(digest)\": want sha256:<64 lowercase hex characters>"
        case .invalidContent(let subject, let reason):
            return "\(subject): \(reason)"
        case .digestMismatch(let digest, let reason):
            return "blob \(digest) failed verification: \(reason); discarded"
        case .unsafeLayerMember(let archive, let member, let reason):
            return "\(archive): refusing member \"\(member)\": \(reason)"
        case .archive(let path, let message):
            return "\(path): \(message)"
        case .registry(let reference, let reason):
            return "failed to fetch \"\(reference)\": \(reason)"
        case .notFoundInRegistry(let reference):
            return "failed to resolve reference \"\(reference)\": \(reference): not found"
        case .noMatchingPlatform(let reference, let platform, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "\(reference): no image for platform \(platform) (index has: \(list))"
        }
    }
}
