import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Pulls from one registry over the OCI distribution API (v2): manifests by tag or digest, blobs by digest,
/// with anonymous, Basic or Bearer-token auth answered from the registry's `WWW-Authenticate` challenge.
/// Every byte is verified against the digest that named it (see `BlobWriter`).
final class RegistryClient: Sendable {
    let reference: ImageReference
    let credential: RegistryCredential?
    /// The endpoint (mirror or registry) that served the manifest; blobs come from the same one.
    let base: String
    private let authorization: Authorization

    static let manifestTypes = [
        OCIMediaType.index, OCIMediaType.manifest, OCIMediaType.dockerManifestList, OCIMediaType.dockerManifest,
    ]
    static let manifestLimit = 4 << 20

    private init(reference: ImageReference, credential: RegistryCredential?, base: String) {
        self.reference = reference
        self.credential = credential
        self.base = base
        authorization = Authorization()
    }

    /// The descriptor and bytes of the manifest or index a reference names, from the first endpoint (mirrors
    /// first) that has it; the client returned keeps talking to that endpoint.
    static func resolve(
        _ reference: ImageReference, configuration: RegistryConfiguration, credential: RegistryCredential?
    ) async throws -> (RegistryClient, OCIDescriptor, Data) {
        let endpoints = configuration.endpoints(for: reference.domain)
        var lastError: (any Error)?
        for (position, endpoint) in endpoints.enumerated() {
            let client = RegistryClient(reference: reference, credential: credential, base: endpoint)
            do {
                let (descriptor, body) = try await client.manifest(reference.digest ?? reference.tag ?? "latest")
                return (client, descriptor, body)
            } catch {
                // A mirror that fails or lacks the image is skipped; the registry's own answer is final.
                lastError = error
                if position == endpoints.count - 1 { throw error }
            }
        }
        throw lastError ?? ImageError.registry(reference.description, reason: "no endpoint")
    }

    /// GET /v2/<name>/manifests/<tag|digest>; verified against the digest when the reference has one.
    func manifest(_ tagOrDigest: String) async throws -> (OCIDescriptor, Data) {
        let url = "\(base)/v2/\(reference.path)/manifests/\(tagOrDigest)"
        if let unreachable = RegistryReachability.problem(url) {
            throw ImageError.registry(reference.description, reason: unreachable)
        }
        let response = try await send(url, accept: Self.manifestTypes, timeout: .seconds(60))
        try check(response, url: url)
        var buffer = try await response.body.collect(upTo: Self.manifestLimit)
        let body = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
        let digest = try OCIDigest(parsing: SHA256.digest(of: [UInt8](body)))
        if tagOrDigest.hasPrefix("sha256:"), digest.description != tagOrDigest {
            throw ImageError.digestMismatch(tagOrDigest, reason: "manifest content has digest \(digest)")
        }
        var mediaType = response.headers.first(name: "Content-Type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if !OCIMediaType.isIndex(mediaType) && !OCIMediaType.isManifest(mediaType) {
            // Some registries answer application/json: the document's own mediaType (or shape) decides.
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            mediaType = (object?["mediaType"] as? String) ?? (object?["manifests"] != nil ? OCIMediaType.index : OCIMediaType.manifest)
        }
        return (OCIDescriptor(mediaType: mediaType, digest: digest, size: Int64(body.count)), body)
    }

    /// GET /v2/<name>/blobs/<digest>, streamed into `writer` (which checks size and digest on commit).
    /// A writer holding part of the blob already (an earlier attempt's) asks for the rest with
    /// `Range: bytes=N-`; a registry that answers with the whole blob (200), or refuses the range (416),
    /// makes it start over from the first byte.
    func blob(_ descriptor: OCIDescriptor, into writer: BlobWriter, progress: (Int64) -> Void) async throws {
        let url = "\(base)/v2/\(reference.path)/blobs/\(descriptor.digest)"
        let offset = writer.written
        let response = try await send(url, accept: ["*/*"], range: offset > 0 ? offset : nil, timeout: .hours(2))
        if offset > 0 {
            if response.status.code == 416 {
                _ = try? await response.body.collect(upTo: 1 << 20)
                try writer.restart()
                return try await blob(descriptor, into: writer, progress: progress)
            }
            let resumed = response.status == .partialContent
                && Self.contentRangeStart(response.headers.first(name: "Content-Range")) == offset
            if !resumed { try writer.restart() }
        }
        try check(response, url: url)
        for try await chunk in response.body {
            try chunk.withUnsafeReadableBytes { try writer.write($0) }
            progress(writer.written)
        }
    }

    private func check(_ response: HTTPClientResponse, url: String) throws {
        switch response.status.code {
        case 200..<300:
            return
        case 404:
            throw ImageError.notFoundInRegistry(reference.description)
        case 401, 403:
            throw ImageError.registry(
                reference.description,
                reason: "pull access denied, repository does not exist or may require authorization: \(response.status.code) \(response.status.reasonPhrase)")
        default:
            throw ImageError.registry(reference.description, reason: "GET \(url): unexpected status \(response.status.code) \(response.status.reasonPhrase)")
        }
    }

    /// Sends a GET, answering one 401 challenge (Basic with our credential, or a Bearer token fetched from the
    /// challenge's realm) and reusing the answer for later requests.
    /// The first byte of a `Content-Range: bytes FIRST-LAST/SIZE` header.
    static func contentRangeStart(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        return Int64(header.dropFirst(6).prefix { $0 != "-" })
    }

    private func send(_ url: String, accept: [String], range: Int64? = nil, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        for type in accept { request.headers.add(name: "Accept", value: type) }
        if let range { request.headers.add(name: "Range", value: "bytes=\(range)-") }
        if let header = await authorization.header { request.headers.replaceOrAdd(name: "Authorization", value: header) }
        let response: HTTPClientResponse
        do { response = try await HTTPClient.shared.execute(request, timeout: timeout) } catch {
            throw ImageError.registry(reference.description, reason: "GET \(url): \(error)")
        }
        guard response.status == .unauthorized, let header = response.headers.first(name: "WWW-Authenticate"),
              let challenge = AuthChallenge(header)
        else { return response }
        _ = try? await response.body.collect(upTo: 1 << 20)
        let answer = try await answer(challenge)
        await authorization.set(answer)
        request.headers.replaceOrAdd(name: "Authorization", value: answer)
        do { return try await HTTPClient.shared.execute(request, timeout: timeout) } catch {
            throw ImageError.registry(reference.description, reason: "GET \(url): \(error)")
        }
    }

    private func answer(_ challenge: AuthChallenge) async throws -> String {
        switch challenge.scheme {
        case "basic":
            guard let credential else {
                // containerd's wording, which the kubelet shows in ErrImagePull.
                throw ImageError.registry(
                    reference.description,
                    reason: "pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials")
            }
            return credential.basicAuthorization
        case "bearer":
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
                throw ImageError.registry(reference.description, reason: "Bearer challenge without a realm")
            }
            var query = components.queryItems ?? []
            if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
            query.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? "repository:\(reference.path):pull"))
            components.queryItems = query
            guard let url = components.string else {
                throw ImageError.registry(reference.description, reason: "invalid token realm \(realm)")
            }
            var request = HTTPClientRequest(url: url)
            if let credential { request.headers.add(name: "Authorization", value: credential.basicAuthorization) }
            let response: HTTPClientResponse
            do { response = try await HTTPClient.shared.execute(request, timeout: .seconds(60)) } catch {
                throw ImageError.registry(reference.description, reason: "token request to \(realm): \(error)")
            }
            var buffer = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                throw ImageError.registry(reference.description, reason: "token request to \(realm): \(response.status.code) \(response.status.reasonPhrase)")
            }
            let object = try? JSONSerialization.jsonObject(with: Data(buffer.readBytes(length: buffer.readableBytes) ?? [])) as? [String: Any]
            guard let token = (object?["token"] as? String) ?? (object?["access_token"] as? String), !token.isEmpty else {
                throw ImageError.registry(reference.description, reason: "token response from \(realm) has no token")
            }
            return "Bearer " + token
        default:
            throw ImageError.registry(reference.description, reason: "unsupported auth scheme \(challenge.scheme)")
        }
    }

    /// The Authorization header that worked last for this repository.
    private actor Authorization {
        var header: String?
        func set(_ value: String) { header = value }
    }
}

/// Downloads of the same blob running at once in this process share one transfer.
actor BlobFetches {
    private var running: [OCIDigest: Task<Void, any Error>] = [:]

    func fetch(_ digest: OCIDigest, _ operation: @escaping @Sendable () async throws -> Void) async throws {
        if let task = running[digest] { return try await task.value }
        let task = Task { try await operation() }
        running[digest] = task
        defer { running[digest] = nil }
        try await task.value
    }
}

/// A fast answer to "can this registry be reached at all", asked before the first request.
///
/// async-http-client retries a failed connection until the request's deadline, so an unknown
/// host or a refused port would hold a pull for the whole timeout (a minute) before the pod shows
/// ErrImagePull. containerd fails such pulls at once; so does this, with Go's wording.
enum RegistryReachability {
    /// nil when a connection can be made; else Go's wording of why not.
    static func problem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        let port = components.port ?? (components.scheme == "http" ? 80 : 443)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            return "dial tcp: lookup \(host): no such host"
        }
        defer { freeaddrinfo(result) }
        var failure = "connection refused"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return nil }
            guard errno == EINPROGRESS else {
                failure = String(cString: strerror(errno)).lowercased()
                continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pfd, 1, 10_000) == 1 else {
                failure = "i/o timeout"
                continue
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return nil }
            failure = String(cString: strerror(error)).lowercased()
        }
        return "dial tcp \(host):\(port): connect: \(failure)"
    }
}
