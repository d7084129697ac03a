import Foundation
import SwiftletImages
import SwiftletKube

extension PodRuntime {
    /// The kubelet's image manager decision (`pkg/kubelet/images/image_manager.go` `EnsureImageExists`):
    /// the image to use when no pull is needed, nil when one is. `Never` with the image missing is
    /// `ErrImageNeverPull`; `Always` pulls again (the registry decides whether anything changed), except
    /// over an image imported by hand.
    public func presentImage(_ container: Container) throws -> ImageRecord? {
        let reference = container.image ?? ""
        do { _ = try normalizeImageReference(reference) } catch {
            throw RuntimeError("InvalidImageName", "Failed to apply default image tag \"\(reference)\": \(error)")
        }
        let record: ImageRecord?
        do { record = try images.resolve(reference) } catch {
            throw RuntimeError("ImageInspectError", "Failed to inspect image \"\(reference)\": \(error)")
        }
        switch container.imagePullPolicy ?? Container.defaultPullPolicy(image: reference) {
        case .never:
            if let record { return record }
            throw RuntimeError("ErrImageNeverPull", "Container image \"\(reference)\" is not present with pull policy of Never")
        case .ifNotPresent:
            return record
        case .always:
            // Deliberate difference: an image the operator imported by hand (`swiftlet images import`) is
            // used as is; pulling would replace it with whatever the registry holds under that name, or
            // fail on an offline box. Images that came from a registry are pulled again, as on Kubernetes.
            if let record, record.pulled != true { return record }
            return nil
        }
    }

    /// The credentials a pull of `image` tries, in the kubelet's order: the pod's pull secrets (see
    /// `DockerKeyring`), then the node's config.json. Empty: pull anonymously.
    public func pullCredentials(image: String, pullSecrets: [DockerKeyring.PullSecret]) throws -> [RegistryCredential] {
        let normalized = (try? normalizeImageReference(image)) ?? image
        guard let host = try? ImageReference(parsing: image).domain else { return [] }
        do {
            return try DockerKeyring(pullSecrets: pullSecrets).credentials(for: host, nodeFiles: configuration.registry.credentialFiles)
        } catch {
            throw RuntimeError("ErrImagePull", "failed to pull and unpack image \"\(normalized)\": \(error)")
        }
    }

    /// Pulls a container's image, trying each credential in turn as the kubelet's puller does (the first
    /// success wins; with none, anonymously); a failure is `ErrImagePull` with containerd's wording, the
    /// failures of several credentials aggregated as Go's `utilerrors.NewAggregate` prints them.
    public func pullImage(_ container: Container, credentials: [RegistryCredential] = []) async throws -> ImageRecord {
        let reference = container.image ?? ""
        let normalized = (try? normalizeImageReference(reference)) ?? reference
        var failures: [String] = []
        for credential in credentials.isEmpty ? [nil] : credentials.map(Optional.some) {
            do {
                return try await images.pull(reference, registry: configuration.registry, credential: credential, progress: nil)
            } catch {
                failures.append("failed to pull and unpack image \"\(normalized)\": \(error)")
            }
        }
        throw RuntimeError("ErrImagePull", failures.count == 1 ? failures[0] : "[" + failures.joined(separator: ", ") + "]")
    }
}
