import Foundation
import SwiftletKube

/// Reads manifest files: multi-document YAML, a single JSON object, or a `List`/`PodList`.
///
/// A bad document never hides the good ones: each document gets its own result. Pods are
/// defaulted and validated as the API server would (unless `validate` is false), so every
/// mistake in a pod is reported at once with API field paths.
public enum ManifestDecoder {
    /// The kubelet's `maxConfigLength`: larger files are refused, not truncated.
    public static let maxManifestBytes = 10 * 1024 * 1024

    /// - Parameters:
    ///   - data: the whole file; callers read at most `maxManifestBytes + 1` bytes.
    ///   - fileName: used in file-level error messages only.
    ///   - validate: when true, pods come back defaulted and validated; when false, as written.
    public static func decode(
        _ data: Data, fileName: String, validate: Bool = true
    ) throws(ManifestFileError) -> [ManifestDocument] {
        guard data.count <= maxManifestBytes else {
            throw .tooLarge(fileName: fileName, size: data.count, limit: maxManifestBytes)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(fileName: fileName) }

        var documents: [ManifestDocument] = []
        for (offset, tree) in trees(text, data: data, syntaxErrors: &documents) {
            let index = offset + 1
            if case .null = tree { continue }
            documents += objects(in: tree, document: index, validate: validate)
        }
        return documents.sorted { ($0.document, $0.item ?? -1) < ($1.document, $1.item ?? -1) }
    }

    /// The document trees in stream order. JSON text is parsed as JSON (exact numbers, JSON
    /// escapes); anything else, or JSON that fails to parse, goes through the YAML parser.
    static func trees(
        _ text: String, data: Data, syntaxErrors: inout [ManifestDocument]
    ) -> EnumeratedSequence<[JSONValue]> {
        let firstByte = text.utf8.first { !(" \t\r\n" as String).utf8.contains($0) }
        if firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            if let tree = try? JSONValue.parse(data) { return [tree].enumerated() }
        }
        let (trees, error) = YAMLTree.documents(text)
        if let error {
            syntaxErrors.append(ManifestDocument(
                document: error.document,
                result: .failure(ManifestDocumentError(document: error.document, reason: .syntax(error.message)))))
        }
        return trees.enumerated()
    }

    /// One document may hold one object or, as a `List`, many.
    static func objects(in tree: JSONValue, document: Int, validate: Bool) -> [ManifestDocument] {
        guard case .object = tree else {
            let error = ManifestDocumentError(document: document, reason: .notAnObject(type: tree.typeName))
            return [ManifestDocument(document: document, result: .failure(error))]
        }
        let kind = tree["kind"]?.stringValue ?? ""
        if kind == "List" || kind == "PodList" {
            guard case .array(let items)? = tree["items"] else { return [] }
            return items.enumerated().map { i, item in
                ManifestDocument(document: document, item: i, result: object(item, document: document, item: i, validate: validate))
            }
        }
        return [ManifestDocument(document: document, result: object(tree, document: document, item: nil, validate: validate))]
    }

    static func object(
        _ tree: JSONValue, document: Int, item: Int?, validate: Bool
    ) -> Result<ManifestObject, ManifestDocumentError> {
        func fail(_ reason: ManifestDocumentError.Reason) -> Result<ManifestObject, ManifestDocumentError> {
            .failure(ManifestDocumentError(document: document, item: item, reason: reason))
        }
        guard case .object = tree else { return fail(.notAnObject(type: tree.typeName)) }
        guard let kind = tree["kind"]?.stringValue, !kind.isEmpty else { return fail(.missingTypeMeta(field: "Kind")) }
        guard let apiVersion = tree["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            return fail(.missingTypeMeta(field: "apiVersion"))
        }
        let name = tree["metadata"]?["name"]?.stringValue
        if let type = KubeObjectKinds.type(kind: kind, apiVersion: apiVersion) {
            switch KubeObjectDecoder.decodeDefaultedAndValidated(type, tree) {
            case .success(let object): return .success(.object(object))
            case .failure(let errors): return fail(.invalid(kind: kind, name: name ?? "", errors: errors))
            }
        }
        guard kind == "Pod", apiVersion == "v1" else {
            return .success(.unsupported(kind: kind, apiVersion: apiVersion, name: name))
        }
        let result = validate ? PodDecoder.decodeDefaultedAndValidated(tree) : PodDecoder.decode(tree)
        switch result {
        case .success(let pod): return .success(.pod(pod))
        case .failure(let errors): return fail(.invalid(kind: "Pod", name: name ?? "", errors: errors))
        }
    }
}
