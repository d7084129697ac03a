import Foundation
import SwiftletKube
import SwiftletManifests

/// One fuzz input for manifest decoding, defaulting and validation: the bytes of a manifest file.
///
/// What must hold for any input (a violation traps, which libFuzzer records as a crash):
/// - decoding never traps, with and without validation, and every error renders as text;
/// - a pod that decodes, defaults and validates is encoded as the API serves it (KubeJSON), and that JSON
///   decodes and validates again to the same pod: defaulting is idempotent and validation accepts what
///   it produced. A pod the agent accepted from a file must survive its own API and a restart.
public enum ManifestFuzzTarget {
    public static func run(_ data: Data) {
        let documents: [ManifestDocument]
        do {
            documents = try ManifestDecoder.decode(data, fileName: "fuzz.yaml")
        } catch {
            _ = error.description
            return
        }
        // The undefaulted path (`swiftlet` CLI's --no-validate view) must not trap either.
        _ = try? ManifestDecoder.decode(data, fileName: "fuzz.yaml", validate: false)
        for document in documents {
            switch document.result {
            case .failure(let error):
                _ = error.description
            case .success(.pod(let pod)):
                checkRoundTrip(pod)
            case .success:
                break
            }
        }
    }

    static func checkRoundTrip(_ pod: Pod) {
        let json: Data
        do { json = try KubeJSON.encode(pod) } catch {
            fatalError("a validated pod does not encode: \(error)")
        }
        let again: [ManifestDocument]
        do { again = try ManifestDecoder.decode(json, fileName: "roundtrip.json") } catch {
            fatalError("the encoded pod is not a manifest: \(error)\n\(String(decoding: json, as: UTF8.self))")
        }
        guard again.count == 1, case .success(.pod(let decoded)) = again[0].result else {
            fatalError("the encoded pod does not decode and validate: \(again.map(\.result))\n\(String(decoding: json, as: UTF8.self))")
        }
        guard decoded == pod else {
            let second = (try? KubeJSON.encode(decoded)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            fatalError("defaulting is not idempotent:\n\(String(decoding: json, as: UTF8.self))\n\(second)")
        }
    }
}
