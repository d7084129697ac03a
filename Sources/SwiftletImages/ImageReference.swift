import Synchronization

/// A parsed image reference in the docker/distribution grammar, with Docker Hub defaults applied:
/// `busybox` → domain "docker.io", path "library/busybox", tag "latest".
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    public var domain: String
    public var path: String
    public var tag: String?
    public var digest: String?

    /// "domain/path", the repository name without tag or digest.
    public var name: String { domain + "/" + path }

    /// The canonical spelling: "docker.io/library/busybox:latest", "host:5000/app@sha256:…".
    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    static let defaultDomain = "docker.io"
    static let legacyDefaultDomain = "index.docker.io"
    static let officialRepositoryPrefix = "library/"
    static let maxNameLength = 255

    /// Parses and normalises like containerd's `reference/docker.ParseNormalizedNamed` followed by
    /// `TagNameOnly` (the kubelet's `applyDefaultImageTag`): a reference with neither tag nor digest gets ":latest".
    public init(parsing reference: String) throws {
        if let known = Self.parsed.withLock({ $0[reference] }) {
            self = known
            return
        }
        try self.init(validating: reference)
        let value = self
        Self.parsed.withLock { cache in
            if cache.count >= Self.parsedLimit { cache.removeAll(keepingCapacity: true) }
            cache[reference] = value
        }
    }

    /// References parsed before. The regex literals below are parsed and compiled again on every
    /// evaluation (Regex is not Sendable, so they cannot be shared as statics): one parse cost
    /// about a millisecond, paid several times on every container start (a pod start profile).
    /// Pods name few distinct images; the bound only stops pathological growth.
    private static let parsed = Mutex<[String: ImageReference]>([:])
    private static let parsedLimit = 1024

    private init(validating reference: String) throws {
        func invalid(_ reason: String) -> ImageError { .invalidReference(reference, reason: reason) }
        guard !reference.isEmpty else { throw invalid("reference is empty") }
        if reference.wholeMatch(of: #/[a-f0-9]{64}/#) != nil {
            throw invalid("cannot specify 64-byte hexadecimal strings (an image id is not a repository name)")
        }

        var remainder = Substring(reference)
        if let at = remainder.firstIndex(of: "@") {
            let digest = remainder[remainder.index(after: at)...]
            try Self.validateDigest(digest, invalid)
            self.digest = String(digest)
            remainder = remainder[..<at]
        } else {
            digest = nil
        }
        let lastSlash = remainder.lastIndex(of: "/")
        let tagSearchStart = lastSlash.map { remainder.index(after: $0) } ?? remainder.startIndex
        if let colon = remainder[tagSearchStart...].lastIndex(of: ":") {
            let tag = remainder[remainder.index(after: colon)...]
            guard tag.wholeMatch(of: #/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/#) != nil else {
                throw invalid("invalid tag \"\(tag)\"")
            }
            self.tag = String(tag)
            remainder = remainder[..<colon]
        } else {
            tag = nil
        }
        guard !remainder.isEmpty else { throw invalid("repository name is empty") }

        (domain, path) = Self.splitDomain(remainder)
        try Self.validateDomain(domain, invalid)
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard component.wholeMatch(of: #/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*/#) != nil else {
                if component.contains(where: \.isUppercase) { throw invalid("repository name must be lowercase") }
                throw invalid("invalid repository name component \"\(component)\"")
            }
        }
        guard name.utf8.count <= Self.maxNameLength else {
            throw invalid("repository name must not be longer than \(Self.maxNameLength) characters")
        }
        if tag == nil && digest == nil { tag = "latest" }
    }

    /// Docker's rule: the first component is a registry host only if it looks like one (has "." or ":",
    /// is "localhost", or has uppercase letters, which repository names cannot).
    private static func splitDomain(_ name: Substring) -> (String, String) {
        var domain = defaultDomain
        var path = String(name)
        if let slash = name.firstIndex(of: "/") {
            let first = name[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
                domain = String(first)
                path = String(name[name.index(after: slash)...])
            }
        }
        if domain == legacyDefaultDomain { domain = defaultDomain }
        if domain == defaultDomain && !path.contains("/") { path = officialRepositoryPrefix + path }
        return (domain, path)
    }

    private static func validateDomain(_ domain: String, _ invalid: (String) -> ImageError) throws {
        let host = #/(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?/#
        let ipv6 = #/\[[A-Fa-f0-9:]+\](?::[0-9]+)?/#
        guard domain.wholeMatch(of: host) != nil || domain.wholeMatch(of: ipv6) != nil else {
            throw invalid("invalid registry host \"\(domain)\"")
        }
    }

    private static func validateDigest(_ digest: Substring, _ invalid: (String) -> ImageError) throws {
        guard digest.wholeMatch(of: #/[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}/#) != nil else {
            throw invalid("invalid digest \"\(digest)\"")
        }
        let lengths = ["sha256": 64, "sha384": 96, "sha512": 128]
        let parts = digest.split(separator: ":", maxSplits: 1)
        if let expected = lengths[String(parts[0])],
           parts[1].count != expected || parts[1].contains(where: \.isUppercase) {
            throw invalid("invalid \(parts[0]) digest \"\(digest)\": want \(expected) lowercase hex characters")
        }
    }
}

/// The canonical spelling of an image reference (see `ImageReference`); throws `ImageError.invalidReference`.
public func normalizeImageReference(_ ref: String) throws -> String {
    try ImageReference(parsing: ref).description
}
