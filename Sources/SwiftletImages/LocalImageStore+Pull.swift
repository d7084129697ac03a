import Foundation

/// What a pull reports as it goes (for a progress bar): a layer's bytes so far out of its size.
public struct PullProgress: Sendable {
    public var digest: String
    public var completed: Int64
    public var total: Int64
    /// Already in the store: nothing was downloaded.
    public var cached: Bool
}

extension LocalImageStore {
    /// Pulls `reference` from its registry (or a configured mirror) into the store and records it: the
    /// manifest (an index resolved for the host's platform), the config and every layer not yet present,
    /// each verified while it streams in; then unpacks new layers. Credentials: `credential`, else the
    /// first matching entry of the configuration's config.json files, else anonymous.
    public func pull(
        _ reference: String, registry: RegistryConfiguration, credential: RegistryCredential? = nil,
        progress: (@Sendable (PullProgress) -> Void)? = nil
    ) async throws -> ImageRecord {
        let parsed = try ImageReference(parsing: reference)
        let normalized = parsed.description
        let credential = credential ?? DockerConfigFile.credential(for: parsed.domain, in: registry.credentialFiles)
        return try await withLease {
            let (client, top, body) = try await RegistryClient.resolve(parsed, configuration: registry, credential: credential)
            try content.ingest(data: body, expected: top)
            var manifestDescriptor = top
            var extra: [OCIDigest] = []
            if OCIMediaType.isIndex(top.mediaType) {
                let chosen = try hostManifest(inIndex: top.digest, reference: normalized)
                extra.append(top.digest)
                manifestDescriptor = chosen
                if !content.contains(chosen.digest) {
                    let (fetched, manifestBody) = try await client.manifest(chosen.digest.description)
                    guard fetched.digest == chosen.digest, fetched.size == chosen.size else {
                        throw ImageError.digestMismatch(chosen.digest.description, reason: "manifest content has digest \(fetched.digest)")
                    }
                    try content.ingest(data: manifestBody, expected: chosen)
                }
            }
            let manifest = try content.decode(OCIManifest.self, manifestDescriptor.digest)
            // Progress is per layer (one bar each on the CLI); the small config blob is not shown.
            try await fetchBlobs([manifest.config], client: client, progress: nil)
            try await fetchBlobs(manifest.layers, client: client, progress: progress)
            // Unpacking is blocking disk work: on its own thread, so the async pool keeps serving other pulls.
            let digest = manifestDescriptor.digest, extraBlobs = extra
            return try await Self.blocking {
                try self.registerImage(
                    manifest: digest, references: [normalized], extraBlobs: extraBlobs, target: top.digest, pulled: true)
            }
        }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Downloads the blobs not in the store, three at a time (as containerd's default), sharing transfers
    /// with other pulls of this process that need the same blob.
    private func fetchBlobs(
        _ descriptors: [OCIDescriptor], client: RegistryClient, progress: (@Sendable (PullProgress) -> Void)?
    ) async throws {
        let content = self.content, fetches = self.blobFetches
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for descriptor in descriptors {
                if content.contains(descriptor.digest) {
                    progress?(PullProgress(digest: descriptor.digest.description, completed: descriptor.size, total: descriptor.size, cached: true))
                    continue
                }
                if running == 3 {
                    try await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    try await fetches.fetch(descriptor.digest) {
                        guard !content.contains(descriptor.digest) else { return }
                        let writer = try content.resumableWriter(expected: descriptor)
                        do {
                            try await client.blob(descriptor, into: writer) { done in
                                progress?(PullProgress(digest: descriptor.digest.description, completed: done, total: descriptor.size, cached: false))
                            }
                        } catch let error as ImageError {
                            // Too many bytes is not this blob: drop them. A cut transfer is kept for the next attempt.
                            if case .digestMismatch = error { writer.abandon() } else { writer.suspend(keep: true) }
                            throw error
                        } catch {
                            writer.suspend(keep: true)
                            throw error
                        }
                        // A wrong digest or size drops the file: the next attempt starts from the first byte.
                        _ = try writer.commit()
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
